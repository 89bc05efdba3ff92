// Test PKI: one CA, a serving pair for 127.0.0.1 (apiserver and Gatekeeper webhook; also
// Gatekeeper's client certificate towards external data providers, hence clientAuth), an admin
// client cert in system:masters, and the service-account key. ECDSA P-256 keeps it fast.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
}

export function makePki(dir: string): Pki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const sign = ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=ape-test-ca']);
  writeFileSync(join(dir, 'serving.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  openssl(dir, ['req', ...ec, '-keyout', 'serving.key', '-subj', '/CN=localhost', '-out', 'serving.csr']);
  openssl(dir, ['x509', '-req', '-in', 'serving.csr', ...sign, '-out', 'serving.crt', '-extfile', 'serving.ext']);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  openssl(dir, ['req', ...ec, '-keyout', 'admin.key', '-subj', '/O=system:masters/CN=admin', '-out', 'admin.csr']);
  openssl(dir, ['x509', '-req', '-in', 'admin.csr', ...sign, '-out', 'admin.crt', '-extfile', 'client.ext']);
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    saKey: join(dir, 'sa.key'),
  };
}

/** A client certificate for `user` in `groups`, signed by the test CA (for RBAC and userInfo tests). */
export function makeClientCert(pki: Pki, user: string, groups: string[] = []): { cert: string; key: string } {
  const stem = user.replace(/[^a-zA-Z0-9]/g, '_');
  const subj = groups.map((g) => `/O=${g}`).join('') + `/CN=${user}`;
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(pki.dir, ['req', ...ec, '-keyout', `${stem}.key`, '-subj', subj, '-out', `${stem}.csr`]);
  openssl(pki.dir, ['x509', '-req', '-in', `${stem}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365',
    '-out', `${stem}.crt`, '-extfile', 'client.ext']);
  return { cert: join(pki.dir, `${stem}.crt`), key: join(pki.dir, `${stem}.key`) };
}
