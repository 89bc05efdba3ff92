import { type OperationCheck, type Parameters, podsAndControllers } from './types.js';

/**
 * GPU resource names when the policy names no `gpuResourcePatterns`: every NVIDIA device-plugin
 * resource (`nvidia.com/gpu`, MIG slices, shared and vGPU profiles), AMD GPUs (`amd.com/gpu`) and
 * Intel GPUs (`gpu.intel.com/i915`, `gpu.intel.com/xe`, ...).
 */
export const DEFAULT_GPU_RESOURCE_PATTERNS: readonly string[] = ['^nvidia\\.com/', '^amd\\.com/gpu', '^gpu\\.intel\\.com/'];

// OperationPolicy `gpuResourceRestriction`. The Rego reads the namespace's labels from Gatekeeper's
// inventory, so Namespaces are synced while the check is in use.
const check: OperationCheck = {
  kind: 'D8GpuResourceRestriction',
  rego: 'gpu-resource-restriction',
  engines: ['Rego'],
  description:
    'A container may set GPU resources (names in resources.limits or resources.requests matching gpuResourcePatterns, RE2 regular expressions, not anchored) only in a namespace carrying namespaceLabel.key (with namespaceLabel.value when set); a namespace not yet in Gatekeeper\'s inventory, or a policy without namespaceLabel, allows none.',
  parameters: {
    namespaceLabel: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
    gpuResourcePatterns: { type: 'array', items: { type: 'string' } },
  },
  matches: podsAndControllers,
  syncs: [{ group: '', version: 'v1', kind: 'Namespace' }],
  source: 'OperationPolicy',
  fields: ['gpuResourceRestriction'],
  // Absent patterns: the defaults above. An explicit [] names no GPU resource: nothing to restrict,
  // no constraint. Without namespaceLabel the constraint allows GPU resources in no namespace.
  fromPolicy: (p) => {
    const g = p.gpuResourceRestriction;
    if (g === null || typeof g !== 'object') return undefined;
    const patterns = Array.isArray(g.gpuResourcePatterns) ? [...g.gpuResourcePatterns] : [...DEFAULT_GPU_RESOURCE_PATTERNS];
    if (patterns.length === 0) return undefined;
    const params: Parameters = { gpuResourcePatterns: patterns };
    const label = g.namespaceLabel;
    if (label !== null && typeof label === 'object' && typeof label.key === 'string') {
      params.namespaceLabel = typeof label.value === 'string' ? { key: label.key, value: label.value } : { key: label.key };
    }
    return params;
  },
};
export default check;
