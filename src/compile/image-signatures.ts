// SecurityPolicy verifyImageSignatures beyond its constraint: references the verifier cannot parse,
// references of different policies that intersect (reference §7), and the verifier configuration
// the operator writes (policy -> references -> keys, credentials, CA). Pure.
import { normaliseReference, referencesOverlap, type PolicyConfig } from '../api/image-reference.js';
import type { SecurityPolicies } from '../api/types.js';
import { verifierPolicy } from '../checks/verify-image-signatures.js';
import { byCodePoint } from '../util/order.js';
import type { FieldError } from './types.js';

const field = (i: number) => `spec.policies.verifyImageSignatures[${i}].reference`;

/** References the verifier would not parse (the schema's pattern is looser than the parser). */
export function referenceErrors(policies: SecurityPolicies): FieldError[] {
  const out: FieldError[] = [];
  (policies.verifyImageSignatures ?? []).forEach((r, i) => {
    try {
      normaliseReference(r.reference);
    } catch (err) {
      out.push({ field: field(i), message: `${JSON.stringify(r.reference)} is not an image reference: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  return out;
}

export interface VerifyingPolicy {
  name: string;
  /** Ordering key: the older policy keeps its references, the newer one is invalid (creation order, then name). */
  created: string;
  policies: SecurityPolicies;
}

/**
 * Policies whose references intersect a reference of another policy (identical references are
 * allowed, as in the reference). Of two intersecting policies the one created later is invalid,
 * as the reference's admission webhook would have refused it: the older one keeps working.
 */
export function overlapErrors(verifying: readonly VerifyingPolicy[]): Map<string, FieldError[]> {
  const ordered = [...verifying].sort((a, b) => byCodePoint(a.created, b.created) || byCodePoint(a.name, b.name));
  const out = new Map<string, FieldError[]>();
  const accepted: VerifyingPolicy[] = [];
  for (const p of ordered) {
    const errors: FieldError[] = [];
    (p.policies.verifyImageSignatures ?? []).forEach((r, i) => {
      for (const other of accepted) {
        const hit = (other.policies.verifyImageSignatures ?? []).find((o) => o.reference !== r.reference && safeOverlap(o.reference, r.reference));
        if (hit) {
          errors.push({ field: field(i), message: `ImageReference ${JSON.stringify(r.reference)} has intersection in the SecurityPolicy ${JSON.stringify(other.name)} (its reference ${JSON.stringify(hit.reference)}): references of different policies must not cover a common image` });
          break;
        }
      }
    });
    if (errors.length > 0) out.set(p.name, errors);
    else accepted.push(p);
  }
  return out;
}

function safeOverlap(a: string, b: string): boolean {
  try {
    return referencesOverlap(a, b);
  } catch {
    return false;
  }
}

/** The verifier configuration's policies, by name (code-point order): deterministic output. */
export function verifierPolicies(verifying: readonly VerifyingPolicy[]): PolicyConfig[] {
  return verifying
    .map((p) => verifierPolicy(p.name, p.policies))
    .filter((p): p is PolicyConfig => p !== undefined)
    .sort((a, b) => byCodePoint(a.name, b.name));
}
