// A registry front that requires credentials, for a real registry without auth (crane's): answers
// 401 with a Bearer challenge, issues tokens at /token for valid Basic credentials, and forwards
// authorized /v2/ requests to the upstream registry unchanged.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthProxy {
  host: string;
  stop(): Promise<void>;
}

export async function startAuthProxy(upstream: string, users: Record<string, string>): Promise<AuthProxy> {
  const tokens = new Set<string>();
  let host = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname === '/token') {
      const h = req.headers.authorization ?? '';
      const [user, ...rest] = Buffer.from(h.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (!h.startsWith('Basic ') || user === undefined || users[user] !== rest.join(':')) {
        res.writeHead(401).end();
        return;
      }
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
      const repo = /^\/v2\/(.+)\/(?:manifests|blobs|referrers|tags)\//.exec(url.pathname)?.[1] ?? '';
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="auth-proxy",scope="repository:${repo}:pull"` }).end();
      return;
    }
    const headers = { ...req.headers, host: upstream };
    delete headers.authorization;
    const up = http.request({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), path: req.url, method: req.method, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
