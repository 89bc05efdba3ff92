// The provider endpoint: mutual TLS 1.3 against Gatekeeper's CA, reload of rotated certificates,
// CA and configuration, the ProviderRequest contract, probes and metrics.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { makeClientCert, makePki, type Pki } from '../../test/harness/certs.js';
import { makeLogger } from '../util/log.js';
import { CONFIG_API_VERSION, CONFIG_KIND } from './config.js';
import { VerifyMetrics } from './metrics.js';
import { PROVIDER_PATH, startVerifyServer, type VerifyServer } from './server.js';
import { Verifier } from './verifier.js';
import { readFileSync } from 'node:fs';

let dir: string;
let pki: Pki;
let gatekeeper: { cert: string; key: string };
let server: VerifyServer;
const files = { cert: '', key: '', ca: '', config: '' };
const KEY = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8nXRh950IZbRj8Ra/N9sbqOPZrfM\n5/KAQN0/KjHcorm/J5yctVd7iEcnessRQjU917hmKO6JWVGHpDguIyakZA==\n-----END PUBLIC KEY-----';

function config(names: string[]): string {
  return JSON.stringify({ apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies: names.map((name) => ({ name, references: [{ reference: 'registry.example.com/*', publicKeys: [KEY] }] })) });
}

interface Reply {
  status: number;
  body: string;
  peerFingerprint: string;
}

function post(body: string, client: { cert?: string; key?: string; ca?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}, path = PROVIDER_PATH, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: server.port, path, method, agent: false,
      ca: readFileSync(client.ca ?? pki.caCert),
      ...(client.cert ? { cert: readFileSync(client.cert), key: readFileSync(client.key!) } : {}),
      ...(client.maxVersion ? { maxVersion: client.maxVersion } : {}),
      headers: { 'Content-Type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, peerFingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.healthPort, path }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    }).on('error', reject);
  });
}

const request = (keys: string[]) => JSON.stringify({ apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderRequest', request: { keys } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ape-verify-server-'));
  pki = makePki(dir);
  gatekeeper = makeClientCert(pki, 'gatekeeper-webhook');
  Object.assign(files, { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), ca: join(dir, 'client-ca.crt'), config: join(dir, 'config.json') });
  copyFileSync(pki.servingCert, files.cert);
  copyFileSync(pki.servingKey, files.key);
  copyFileSync(pki.caCert, files.ca);
  writeFileSync(files.config, config(['alpha']));
  const metrics = new VerifyMetrics();
  server = await startVerifyServer({
    verifier: new Verifier({ metrics }), metrics, logger: makeLogger('error', true),
    configFile: files.config, tlsCertFile: files.cert, tlsKeyFile: files.key, clientCaFile: files.ca,
    host: '127.0.0.1', port: 0, healthHost: '127.0.0.1', healthPort: 0, reloadIntervalMs: 60_000,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('verify server', () => {
  it('answers a ProviderRequest from a client certificate signed by Gatekeeper\'s CA', async () => {
    const r = await post(request(['alpha|bad image', 'nope|registry.example.com/a:1']), gatekeeper);
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.body) as { apiVersion: string; kind: string; response: { idempotent: boolean; items: unknown[]; systemError?: string } };
    expect(doc.apiVersion).toBe('externaldata.gatekeeper.sh/v1beta1');
    expect(doc.kind).toBe('ProviderResponse');
    expect(doc.response.idempotent).toBe(true);
    expect(doc.response.items).toEqual([{ key: 'alpha|bad image', error: 'invalid image reference: invalid repository name' }]);
    expect(doc.response.systemError).toMatch(/policy nope is not in the verifier configuration/);
  });

  it('refuses clients without a certificate, with another CA\'s certificate, or below TLS 1.3', async () => {
    await expect(post(request([]))).rejects.toThrow();
    const otherDir = join(dir, 'other');
    mkdirSync(otherDir);
    const other = makePki(otherDir);
    await expect(post(request([]), { cert: other.adminCert, key: other.adminKey })).rejects.toThrow();
    await expect(post(request([]), { ...gatekeeper, maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol|version/i);
  });

  it('a certificate of the right CA without the clientAuth usage is refused (Gatekeeper adds it when external data is on)', async () => {
    // A certificate of the test CA with extendedKeyUsage=serverAuth only (the test PKI's serving
    // certificate has clientAuth too: it is Gatekeeper's client certificate in the test bed).
    writeFileSync(join(dir, 'server-only.ext'), 'extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n');
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server-only.key', '-subj', '/CN=server-only', '-out', 'server-only.csr']);
    openssl(['x509', '-req', '-in', 'server-only.csr', '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-days', '1', '-out', 'server-only.crt', '-extfile', 'server-only.ext']);
    await expect(post(request([]), { cert: join(dir, 'server-only.crt'), key: join(dir, 'server-only.key') })).rejects.toThrow();
  });

  it('bad requests: 400 with a systemError; other paths and methods refused', async () => {
    const bad = await post('{"kind":"Nope"}', gatekeeper);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ kind: 'ProviderResponse', response: { items: [], systemError: expect.stringMatching(/not an externaldata/) as string } });
    expect((await post('not json', gatekeeper)).body).toMatch(/not JSON/);
    expect((await post(request([]), gatekeeper, '/other')).status).toBe(404);
    expect((await post('', gatekeeper, PROVIDER_PATH, 'GET')).status).toBe(405);
  });

  it('probes, metrics and loaded revisions on the plain HTTP port', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok' });
    expect(await get('/readyz')).toEqual({ status: 200, body: 'ok' });
    const metrics = await get('/metrics');
    expect(metrics.body).toMatch(/ape_verify_provider_requests_total\{result="system_error"\} \d/);
    expect(metrics.body).toMatch(/ape_verify_failures_total\{reason="bad_image"\} 1/);
    expect(Object.keys(JSON.parse((await get('/revisions')).body) as object)).toEqual(['alpha']);
  });

  it('reloads a changed configuration; a broken one keeps the previous in force', async () => {
    writeFileSync(files.config, config(['alpha', 'beta']));
    await server.reload();
    expect(Object.keys(JSON.parse((await get('/revisions')).body) as object)).toEqual(['alpha', 'beta']);
    writeFileSync(files.config, '{"kind": "broken"');
    await server.reload();
    expect(Object.keys(JSON.parse((await get('/revisions')).body) as object)).toEqual(['alpha', 'beta']);
    expect((await get('/metrics')).body).toMatch(/ape_verify_reloads_total\{what="config",result="error"\} 1/);
  });

  it('reloads a rotated serving certificate and client CA without a restart', async () => {
    const before = await post(request([]), gatekeeper);
    const rotated = join(dir, 'rotated');
    mkdirSync(rotated);
    const next = makePki(rotated);
    const nextClient = makeClientCert(next, 'gatekeeper-webhook');
    copyFileSync(next.servingCert, files.cert);
    copyFileSync(next.servingKey, files.key);
    copyFileSync(next.caCert, files.ca);
    await server.reload();
    const after = await post(request([]), { ...nextClient, ca: next.caCert });
    expect(after.status).toBe(200);
    expect(after.peerFingerprint).not.toBe(before.peerFingerprint);
    await expect(post(request([]), gatekeeper)).rejects.toThrow();
  });
});
