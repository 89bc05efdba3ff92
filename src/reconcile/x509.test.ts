import { X509Certificate } from 'node:crypto';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { newCa, newServingCert, pkiUsable } from './x509.js';

describe('verifier serving certificates', () => {
  const now = new Date();
  const ca = newCa(now, 'ape-image-verifier-ca');
  const hosts = ['ape-image-verifier.d8-admission-policy-engine.svc', '127.0.0.1'];
  const leaf = newServingCert(ca, hosts, now);

  test('the CA and the leaf parse, chain and carry the names', () => {
    const c = new X509Certificate(ca.caCert);
    const l = new X509Certificate(leaf.cert);
    expect(c.ca).toBe(true);
    expect(l.ca).toBe(false);
    expect(l.verify(c.publicKey)).toBe(true);
    expect(l.checkIssued(c)).toBe(true);
    expect(l.subjectAltName).toBe('DNS:ape-image-verifier.d8-admission-policy-engine.svc, IP Address:127.0.0.1');
    expect(l.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(pkiUsable({ ...ca, ...leaf }, hosts, now)).toEqual({ ca: true, cert: true });
  });

  test('renewal: near expiry, other names or a foreign key make the pair unusable', () => {
    expect(pkiUsable({ ...ca, ...leaf }, hosts, new Date(now.getTime() + 340 * 86_400_000)).cert).toBe(false);
    expect(pkiUsable({ ...ca, ...leaf }, [...hosts, 'other.svc'], now).cert).toBe(false);
    const other = newServingCert(ca, hosts, now);
    expect(pkiUsable({ ...ca, cert: leaf.cert, key: other.key }, hosts, now).cert).toBe(false);
    expect(pkiUsable({ ...ca, cert: 'junk', key: leaf.key }, hosts, now)).toEqual({ ca: true, cert: false });
    expect(pkiUsable({ caCert: 'junk', caKey: ca.caKey, ...leaf }, hosts, now).ca).toBe(false);
    expect(pkiUsable({ ...newCa(now, 'x', 200), ...leaf }, hosts, now).ca).toBe(false);
  });

  test('a TLS 1.3 client trusting only the CA accepts the leaf for an IP and a DNS name', async () => {
    const server = createServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.3' }, (s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      for (const servername of [undefined, 'ape-image-verifier.d8-admission-policy-engine.svc']) {
        const text = await new Promise<string>((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port, ca: ca.caCert, servername, minVersion: 'TLSv1.3' }, () => undefined);
          let out = '';
          s.on('data', (d: Buffer) => { out += d.toString(); });
          s.on('end', () => resolve(out));
          s.on('error', reject);
        });
        expect(text).toBe('ok');
      }
    } finally {
      server.close();
    }
  });
});
