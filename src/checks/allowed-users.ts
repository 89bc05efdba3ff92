import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, type JSONSchema, podsAndControllers } from './types.js';

const ranges: JSONSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { min: { type: 'integer' }, max: { type: 'integer' } },
  },
};

const rule = (rules: string[]): JSONSchema => ({
  type: 'object',
  properties: { rule: { type: 'string', enum: rules }, ranges },
});

const blocks = ['runAsUser', 'runAsGroup', 'supplementalGroups', 'fsGroup'] as const;

// PSS restricted "Running as Non-root" + "Running as Non-root user"; SecurityPolicy runAsUser,
// runAsGroup, supplementalGroups, fsGroup.
const check: SecurityCheck = {
  kind: 'D8AllowedUsers',
  rego: 'allowed-users',
  engines: ['Rego'],
  description:
    'User and group IDs of every container (regular, init, ephemeral) and of the pod must follow the rules: MustRunAs (set and within a range), MayRunAs (within a range when set), MustRunAsNonRoot (runAsNonRoot true for every container and no runAsUser 0, as Pod Security Admission restricted), RunAsAny (anything).',
  parameters: {
    runAsUser: rule(['MustRunAs', 'MustRunAsNonRoot', 'RunAsAny']),
    runAsGroup: rule(['MustRunAs', 'MayRunAs', 'RunAsAny']),
    supplementalGroups: rule(['MustRunAs', 'MayRunAs', 'RunAsAny']),
    fsGroup: rule(['MustRunAs', 'MayRunAs', 'RunAsAny']),
    // Pods with spec.hostUsers: false (own user namespace) skip the runAsUser rule, as PSA >= 1.35
    // skips its runAsNonRoot and runAsUser checks for them.
    exemptUserNamespacePods: { type: 'boolean' },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: [...blocks],
  // RunAsAny blocks are no-ops and dropped; no block left: no constraint.
  fromPolicy: (p) => {
    const out: Record<string, unknown> = {};
    for (const key of blocks) {
      const b = p[key];
      if (!b || b.rule === 'RunAsAny') continue;
      const params: Record<string, unknown> = { rule: b.rule };
      if (b.ranges) params.ranges = b.ranges;
      out[key] = params;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  },
  pss: {
    restricted: () => ({ runAsUser: { rule: 'MustRunAsNonRoot' }, exemptUserNamespacePods: true }),
  },
};
export default check;
