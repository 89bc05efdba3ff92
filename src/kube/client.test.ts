import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessFromKubeconfig } from './client.js';

const cfg = (user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') }) => JSON.stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'a',
  contexts: [{ name: 'a', context: { cluster: 'c', user: 'u' } }, { name: 'b', context: { cluster: 'c', user: 'other' } }],
  clusters: [{ name: 'c', cluster }], users: [{ name: 'u', user }, { name: 'other', user: { token: 'tok' } }],
});

describe('kubeconfig', () => {
  test('inline client certificate and CA of the current context', () => {
    const a = accessFromKubeconfig(cfg({ 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') }));
    expect(a.server).toBe('https://127.0.0.1:6443');
    expect(a.ca?.toString()).toBe('CA');
    expect(a.cert?.toString()).toBe('CERT');
    expect(a.key?.toString()).toBe('KEY');
  });

  test('another context, a token, files relative to the kubeconfig', () => {
    expect(accessFromKubeconfig(cfg({}), { context: 'b' }).token).toBe('tok');
    const dir = mkdtempSync(join(tmpdir(), 'ape-kc-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), 'FILECA');
      const a = accessFromKubeconfig(cfg({ tokenFile: '/var/token' }, { server: 'https://h:1', 'certificate-authority': 'ca.crt' }), { baseDir: dir });
      expect(a.ca?.toString()).toBe('FILECA');
      expect(a.tokenFile).toBe('/var/token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('clear errors for a missing context and for exec credentials', () => {
    expect(() => accessFromKubeconfig(cfg({}), { context: 'nope' })).toThrow('kubeconfig: context "nope" not found');
    expect(() => accessFromKubeconfig(cfg({ exec: { command: 'aws' } }))).toThrow('exec and auth-provider credentials are not supported');
  });
});
