// What compile needs besides the snapshot, loaded once at the edge (src/cli/assets.ts reads them
// from the package): the Rego of every check and lib, and the policy CRD schemas. Passing them in
// keeps compile pure: it reads no files, so the same inputs give the same output anywhere.
import type { PolicySchemas } from '../api/validate.js';

export interface Assets {
  /** Rego module text by path under `templates-rego/` (`host-network/src.rego`, `lib/pods.rego`). */
  rego: ReadonlyMap<string, string>;
  /** openAPIV3Schema of each policy CRD. */
  schemas: PolicySchemas;
}
