// Values that pass the CRD schema but would silently allow or deny everything, or match nothing.
// Each is refused where it is written, with the field path and the fix: a policy that looks
// applied must never enforce something other than what its author meant.
import { RE2JS } from 're2js';
import { globCovers } from '../util/namespace-glob.js';
import { clip, quoted } from './bounded.js';
import type { FieldError } from './types.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The CRDs' maxLength for every regular expression field. */
const RE2_MAX_LENGTH = 1024;

/**
 * Gatekeeper evaluates regular expressions with Go's regexp (RE2): no lookaround, no
 * backreferences. A pattern JavaScript accepts but RE2 does not would make Gatekeeper fail every
 * object, so patterns are compiled here with an RE2 implementation.
 */
export function re2Problem(pattern: string): string | undefined {
  // Longer patterns are refused by the CRD's maxLength (reported by the schema check); compiling
  // 100 KiB of "(" only to quote it back would cost time and message space.
  if (pattern.length > RE2_MAX_LENGTH) return undefined;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return `${quoted(pattern)} is not a valid RE2 regular expression (Gatekeeper uses Go's regexp: no lookahead, lookbehind or backreferences): ${clip(detail)}`;
  }
}

/** Seccomp profile names the check understands (besides `localhost/<file>`). */
const SECCOMP_PROFILES = ['RuntimeDefault', 'runtime/default', 'docker/default', 'Unconfined', 'unconfined', 'Localhost', '*', '', 'undefined'];

/** Common built-in kinds by API group, to catch `watchKinds` that can never match. */
const BUILTIN_KINDS: Readonly<Record<string, readonly string[]>> = {
  '': ['Pod', 'Service', 'Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim', 'PersistentVolume', 'Node',
    'ReplicationController', 'PodTemplate', 'Endpoints', 'LimitRange', 'ResourceQuota', 'Event'],
  apps: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'],
  batch: ['Job', 'CronJob'],
  'networking.k8s.io': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'rbac.authorization.k8s.io': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  policy: ['PodDisruptionBudget'],
  'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'],
  autoscaling: ['HorizontalPodAutoscaler'],
  'scheduling.k8s.io': ['PriorityClass'],
};
/** What people write for the core group, or a version instead of a group. */
const NOT_A_GROUP = /^(core|v1|v1beta1|v1alpha1|v2)$/;

function kindSuggestion(group: string, kind: string): string | undefined {
  const findKind = (g: string) => BUILTIN_KINDS[g]?.find((k) => k.toLowerCase() === kind.toLowerCase());
  if (NOT_A_GROUP.test(group)) {
    const inCore = findKind('');
    if (inCore) return `/${inCore}`;
    for (const [g, kinds] of Object.entries(BUILTIN_KINDS)) {
      const k = kinds.find((x) => x.toLowerCase() === kind.toLowerCase());
      if (k) return `${g}/${k}`;
    }
    return `/${kind}`;
  }
  const known = BUILTIN_KINDS[group];
  if (!known || known.includes(kind)) return undefined;
  const same = findKind(group);
  if (same) return `${group}/${same}`;
  for (const [g, kinds] of Object.entries(BUILTIN_KINDS)) if (kinds.includes(kind)) return `${g}/${kind}`;
  return undefined;
}

function watchKindErrors(block: unknown, path: string, out: FieldError[]): void {
  if (!isObject(block)) return;
  list(block.watchKinds).forEach((wk, i) => {
    if (typeof wk !== 'string') return;
    const slash = wk.lastIndexOf('/');
    if (slash < 0) return; // the schema's pattern reports it
    const group = wk.slice(0, slash);
    const kind = wk.slice(slash + 1);
    const hint = kindSuggestion(group, kind);
    if (hint && hint !== wk) {
      out.push({ field: `${path}.watchKinds[${i}]`, message: `${quoted(wk)} matches no object: kinds are "<apiGroup>/<Kind>" with the exact Kind and "" for the core group; did you mean "${hint}"?` });
    }
  });
}

function regexErrors(block: unknown, path: string, key: 'labels' | 'annotations', out: FieldError[]): void {
  if (!isObject(block)) return;
  list(block[key]).forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.allowedRegex !== 'string') return;
    const problem = re2Problem(entry.allowedRegex);
    if (problem) out.push({ field: `${path}.${key}[${i}].allowedRegex`, message: `${problem}; fix the pattern or remove allowedRegex` });
  });
}

/** OperationPolicy spec.policies. */
export function operationValueErrors(p: Json, out: FieldError[]): void {
  const base = 'spec.policies';
  list(p.allowedRepos).forEach((repo, i) => {
    if (repo === '') {
      out.push({ field: `${base}.allowedRepos[${i}]`, message: 'is empty: an empty prefix matches every image, so the list would allow everything; remove it or name a registry prefix such as "registry.example.com/"' });
    }
  });
  list(p.disallowedTolerations).forEach((t, i) => {
    if (isObject(t) && !['key', 'value', 'effect', 'operator'].some((k) => typeof t[k] === 'string' && t[k] !== '')) {
      out.push({ field: `${base}.disallowedTolerations[${i}]`, message: 'names nothing: set key, operator, value or effect (an empty pattern would match every toleration)' });
    }
  });
  // Resource name patterns are RE2 too: an invalid one would make its check deny every such resource.
  list(p.disallowedCustomResources).forEach((pattern, i) => {
    const problem = typeof pattern === 'string' ? re2Problem(pattern) : undefined;
    if (problem) out.push({ field: `${base}.disallowedCustomResources[${i}]`, message: `${problem}; fix the pattern` });
  });
  if (isObject(p.gpuResourceRestriction)) {
    list(p.gpuResourceRestriction.gpuResourcePatterns).forEach((pattern, i) => {
      const problem = typeof pattern === 'string' ? re2Problem(pattern) : undefined;
      if (problem) out.push({ field: `${base}.gpuResourceRestriction.gpuResourcePatterns[${i}]`, message: `${problem}; fix the pattern` });
    });
  }
  regexErrors(p.requiredLabels, `${base}.requiredLabels`, 'labels', out);
  regexErrors(p.requiredAnnotations, `${base}.requiredAnnotations`, 'annotations', out);
  watchKindErrors(p.requiredLabels, `${base}.requiredLabels`, out);
  watchKindErrors(p.requiredAnnotations, `${base}.requiredAnnotations`, out);
}

/** SecurityPolicy spec.policies. */
export function securityValueErrors(p: Json, out: FieldError[]): void {
  const base = 'spec.policies';
  for (const f of ['runAsUser', 'runAsGroup', 'supplementalGroups', 'fsGroup']) {
    const block = p[f];
    if (!isObject(block)) continue;
    const ranges = list(block.ranges);
    if ((block.rule === 'MustRunAs' || block.rule === 'MayRunAs') && ranges.length === 0) {
      out.push({ field: `${base}.${f}.ranges`, message: `must list at least one range when rule is ${String(block.rule)}: without ranges no ID is allowed and every pod setting one would be denied; add ranges such as [{min: 1000, max: 65535}]` });
    }
    // RunAsAny with ranges says what it means (anything goes; the documentation's own example has
    // it). MustRunAsNonRoot with ranges reads as "non-root within these", which it is not.
    if (block.rule === 'MustRunAsNonRoot' && ranges.length > 0) {
      out.push({ field: `${base}.${f}.ranges`, message: 'has no effect when rule is MustRunAsNonRoot (any non-zero UID passes); remove the ranges, or use rule MustRunAs with ranges that exclude 0' });
    }
  }
  const seccomp = p.seccompProfiles;
  if (isObject(seccomp)) {
    list(seccomp.allowedProfiles).forEach((profile, i) => {
      if (typeof profile !== 'string' || SECCOMP_PROFILES.includes(profile) || /^localhost\/[\s\S]+$/.test(profile)) return;
      const hint = SECCOMP_PROFILES.find((k) => k !== '' && k.toLowerCase() === profile.toLowerCase().replace(/[-_ ]/g, ''));
      out.push({
        field: `${base}.seccompProfiles.allowedProfiles[${i}]`,
        message: `${quoted(profile)} is not a seccomp profile: use RuntimeDefault, Localhost (with allowedLocalhostFiles), Unconfined, localhost/<file>, "*" or "" (unset)${hint ? `; did you mean ${hint}?` : ''}`,
      });
    });
  }
}

/** spec.match blocks that can select nothing: every matched name is excluded again. */
export function matchSelectsNothing(match: unknown, out: FieldError[]): void {
  if (!isObject(match) || !isObject(match.namespaceSelector)) return;
  const names = list(match.namespaceSelector.matchNames).filter((n): n is string => typeof n === 'string');
  const excluded = list(match.namespaceSelector.excludeNames).filter((n): n is string => typeof n === 'string');
  if (names.length === 0 || excluded.length === 0) return;
  if (names.every((n) => excluded.some((e) => globCovers(e, n)))) {
    out.push({ field: 'spec.match.namespaceSelector.excludeNames', message: `excludes every namespace matchNames selects (${clip(names.map((n) => JSON.stringify(n)).join(', '), 300)}), so the policy would apply nowhere; narrow excludeNames or widen matchNames` });
  }
}
