// Public keys of a policy and signature checks with node:crypto. Cosign's key-based signatures:
// ECDSA (P-256 with SHA-256 for `cosign generate-key-pair`; P-384/P-521 with SHA-384/512), ASN.1 DER
// signatures; RSA PKCS#1 v1.5 with SHA-256; Ed25519 (pure, no prehash).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export interface PublicKey {
  /** Position of the key in the policy reference's publicKeys (for logs and verdicts). */
  index: number;
  kind: 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa' | 'ed25519';
  key: KeyObject;
}

export class KeyError extends Error {}

/** Parses a PEM public key (SPKI `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY`). */
export function parsePublicKey(pem: string, index: number): PublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem.trim(), format: 'pem' });
  } catch {
    throw new KeyError(`publicKeys[${index}] is not a PEM public key`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { index, kind: 'ecdsa-p256', key };
    if (curve === 'secp384r1') return { index, kind: 'ecdsa-p384', key };
    if (curve === 'secp521r1') return { index, kind: 'ecdsa-p521', key };
    throw new KeyError(`publicKeys[${index}]: unsupported elliptic curve ${curve ?? 'unknown'}`);
  }
  if (type === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new KeyError(`publicKeys[${index}]: RSA keys under 2048 bits are refused`);
    return { index, kind: 'rsa', key };
  }
  if (type === 'ed25519') return { index, kind: 'ed25519', key };
  throw new KeyError(`publicKeys[${index}]: unsupported key type ${type ?? 'unknown'}`);
}

const HASH: Record<PublicKey['kind'], string | null> = {
  'ecdsa-p256': 'sha256',
  'ecdsa-p384': 'sha384',
  'ecdsa-p521': 'sha512',
  rsa: 'sha256',
  ed25519: null,
};

/** Whether `signature` is a valid signature of `data` by `key`. Never throws. */
export function verifySignature(key: PublicKey, data: Buffer, signature: Buffer): boolean {
  try {
    if (key.kind === 'rsa') return verify('sha256', data, { key: key.key, padding: 1 /* RSA_PKCS1_PADDING */ }, signature);
    if (key.kind === 'ed25519') return verify(null, data, key.key, signature);
    return verify(HASH[key.kind], data, { key: key.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** DSSE pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}
