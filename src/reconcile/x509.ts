// Minimal X.509 issuing for the image verifier's serving certificate: a self-signed CA and a leaf it
// signs, ECDSA P-256 / SHA-256, DER built here (node:crypto signs and parses certificates but does
// not make them). Only what a TLS server certificate needs: basicConstraints, keyUsage,
// extKeyUsage serverAuth, subjectAltName (DNS names, IP addresses), subject/authority key ids.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.concat(groups.map((g) => { const b = Buffer.alloc(2); b.writeUInt16BE(parseInt(g, 16)); return b; }));
}

interface IssueOptions {
  commonName: string;
  publicKey: KeyObject;
  issuer: { commonName: string; key: KeyObject; publicKey: KeyObject };
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  hosts?: string[];
}

function issue(o: IssueOptions): string {
  const extensions = [
    ext('2.5.29.19', true, o.ca ? seq(bool(true)) : seq()),
    // digitalSignature (+ keyCertSign, cRLSign for the CA).
    ext('2.5.29.15', true, o.ca ? bits(Buffer.from([0x86]), 1) : bits(Buffer.from([0x80]), 7)),
    ext('2.5.29.14', false, octets(keyId(o.publicKey))),
  ];
  if (!o.ca) {
    extensions.push(ext('2.5.29.35', false, seq(tlv(0x80, keyId(o.issuer.publicKey)))));
    extensions.push(ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))));
    const names = (o.hosts ?? []).map((h) => (isIP(h) ? tlv(0x87, ipBytes(h)) : tlv(0x82, Buffer.from(h, 'ascii'))));
    extensions.push(ext('2.5.29.17', false, seq(...names)));
  }
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name(o.issuer.commonName),
    seq(time(o.notBefore), time(o.notAfter)),
    name(o.commonName),
    o.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, o.issuer.key);
  const der = seq(tbs, ECDSA_SHA256, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export interface ServingPki {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

const DAY = 86_400_000;

/** A new CA (valid `caDays`) for the verifier's serving certificates. */
export function newCa(now: Date, commonName: string, caDays = 3650): { caCert: string; caKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caCert = issue({
    commonName, publicKey, issuer: { commonName, key: privateKey, publicKey },
    notBefore: new Date(now.getTime() - 5 * 60_000), notAfter: new Date(now.getTime() + caDays * DAY), ca: true,
  });
  return { caCert, caKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A serving certificate for `hosts` (DNS names or IP addresses), signed by the CA. */
export function newServingCert(ca: { caCert: string; caKey: string }, hosts: string[], now: Date, days = 365): { cert: string; key: string } {
  const caKey = createPrivateKey(ca.caKey);
  const caX509 = new X509Certificate(ca.caCert);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cert = issue({
    commonName: hosts[0] ?? 'image-verifier', publicKey,
    issuer: { commonName: /CN=([^\n,]+)/.exec(caX509.subject)?.[1] ?? 'image-verifier-ca', key: caKey, publicKey: caX509.publicKey },
    notBefore: new Date(now.getTime() - 5 * 60_000), notAfter: new Date(now.getTime() + days * DAY), ca: false, hosts,
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * Whether a stored pair still serves `hosts` for at least `renewBeforeDays`, chains to the CA, and
 * the CA itself is valid that long. Anything unparsable counts as not usable.
 */
export function pkiUsable(p: Partial<ServingPki>, hosts: string[], now: Date, renewBeforeDays = 30): { ca: boolean; cert: boolean } {
  const horizon = now.getTime() + renewBeforeDays * DAY;
  let caOk = false;
  let ca: X509Certificate | undefined;
  try {
    if (p.caCert && p.caKey) {
      ca = new X509Certificate(p.caCert);
      createPrivateKey(p.caKey);
      caOk = ca.ca && Date.parse(ca.validTo) > horizon + 365 * DAY;
    }
  } catch {
    caOk = false;
  }
  if (!caOk || !ca || !p.cert || !p.key) return { ca: caOk, cert: false };
  try {
    const leaf = new X509Certificate(p.cert);
    const key = createPrivateKey(p.key);
    const san = leaf.subjectAltName ?? '';
    const covers = hosts.every((h) => san.split(', ').includes(isIP(h) ? `IP Address:${h}` : `DNS:${h}`));
    return { ca: true, cert: leaf.verify(ca.publicKey) && leaf.checkPrivateKey(key) && Date.parse(leaf.validTo) > horizon && covers };
  } catch {
    return { ca: true, cert: false };
  }
}
