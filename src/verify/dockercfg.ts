// `.dockerconfigjson` credentials (the policy's `dockerCfg`, base64 as in the SecurityPolicy).
// Nothing here ever goes into an error message or a log line except registry host names.
import { DOCKER_HUB } from './reference.js';

export interface Credential {
  username: string;
  password: string;
}

export class DockerCfgError extends Error {}

/** Host (with port) of a config key: `https://index.docker.io/v1/` -> `docker.io`. */
function hostOfKey(key: string): string {
  let k = key.trim();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  k = k.split('/')[0].toLowerCase();
  if (k === 'index.docker.io' || k === 'registry-1.docker.io' || k === 'registry.hub.docker.com') return DOCKER_HUB;
  return k;
}

/**
 * Parses a base64 `.dockerconfigjson` (or its decoded JSON) into credentials by registry host.
 * Entries carry `auth` (base64 `user:password`) or `username` + `password`; identity tokens
 * (`identitytoken`) are used as the password of user `<token>`, as docker does.
 */
export function parseDockerCfg(value: string): Map<string, Credential> {
  let text = value.trim();
  if (!text.startsWith('{')) {
    text = Buffer.from(text, 'base64').toString('utf8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DockerCfgError('dockerCfg is not base64 of a .dockerconfigjson');
  }
  const auths = (doc as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) throw new DockerCfgError('dockerCfg has no "auths" object');
  const out = new Map<string, Credential>();
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    let username = typeof e.username === 'string' ? e.username : '';
    let password = typeof e.password === 'string' ? e.password : '';
    if (typeof e.auth === 'string' && e.auth !== '') {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon === -1) throw new DockerCfgError(`dockerCfg entry for ${hostOfKey(key)} has a malformed "auth"`);
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    if (typeof e.identitytoken === 'string' && e.identitytoken !== '') {
      username = '<token>';
      password = e.identitytoken;
    }
    if (username === '' && password === '') continue;
    out.set(hostOfKey(key), { username, password });
  }
  return out;
}
