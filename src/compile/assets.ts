// What compile needs besides the snapshot, loaded once at the edge (src/cli/assets.ts reads them
// from the package): the Rego of every check and lib, and the policy CRD schemas. Passing them in
// keeps compile pure: it reads no files, so the same inputs give the same output anywhere.
import type { PolicySchemas } from '../api/validate.js';
import type { CelSource } from './template.js';

export interface Assets {
  /** Rego module text by path under `templates-rego/` (`host-network/src.rego`, `lib/pods.rego`). */
  rego: ReadonlyMap<string, string>;
  /**
   * CEL by path under `templates-rego/` (`host-network/src.cel.yaml`, `lib/pods.cel.yaml`), parsed.
   * Absent: no check's template carries CEL.
   */
  cel?: ReadonlyMap<string, CelSource>;
  /** openAPIV3Schema of each policy CRD. */
  schemas: PolicySchemas;
}
