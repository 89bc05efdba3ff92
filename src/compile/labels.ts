import { PRODUCT_NAME } from '../api/types.js';
import { labelValue } from './names.js';

// Labels on every object we generate. `managed-by` is what prune selects on: we delete only what
// carries it. The Deckhouse labels keep dashboards and selectors written for the reference working.
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = PRODUCT_NAME;
export const SOURCE_KIND_LABEL = 'admission-policy-engine.deckhouse.io/source-kind';
export const SOURCE_NAME_LABEL = 'admission-policy-engine.deckhouse.io/source-name';
/** Which catalog check a constraint instantiates (its kind); lets tests and audits map a violation back. */
export const CHECK_LABEL = 'admission-policy-engine.deckhouse.io/check';

export const TEMPLATE_GROUP_LABEL = 'security.deckhouse.io';

// Reference-compatible labels on constraints (reference §3.1).
export const POD_STANDARD_LABEL = 'security.deckhouse.io/pod-standard';
export const SECURITY_POLICY_LABEL = 'security.deckhouse.io/security-policy';
export const OPERATION_POLICY_LABEL = 'security.deckhouse.io/operation-policy';

// Namespace labels users set (reference §3.1).
export const POD_POLICY_LABEL = 'security.deckhouse.io/pod-policy';
export const POD_POLICY_ACTION_LABEL = 'security.deckhouse.io/pod-policy-action';
export const ENABLE_SYSTEM_CHECK_LABEL = 'security.deckhouse.io/enable-security-policy-check';
/** Object label (top level) that leaves the object out of the PSS sets; setting it is guarded. */
export const SKIP_PSS_CHECK_LABEL = 'security.deckhouse.io/skip-pss-check';

export function ownershipLabels(sourceKind: string, sourceName?: string): Record<string, string> {
  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    heritage: 'deckhouse',
    module: PRODUCT_NAME,
    [SOURCE_KIND_LABEL]: sourceKind,
  };
  if (sourceName !== undefined) labels[SOURCE_NAME_LABEL] = labelValue(sourceName);
  return labels;
}
