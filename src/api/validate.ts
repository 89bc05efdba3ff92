// Validation of OperationPolicy / SecurityPolicy objects and of the module settings.
//
// Policies are checked against the openAPIV3Schema of our own CRDs (crds/*.yaml, loaded at the
// edge and passed in), so the operator, the CLI and the API server agree. Like `kubectl apply`
// with strict field validation, unknown fields are errors (a typo must not silently disable a
// check). What an OpenAPI schema cannot express (min <= max, selector operators and values, label
// syntax, object names, match blocks that select nothing) is checked here afterwards. Errors are
// Kubernetes-style field paths plus a message that says what is wrong and how to fix it.
// Pure: no I/O; ajv validators are compiled once per schema object.
import { Ajv, type AnySchemaObject, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { MAX_DEPTH, boundedClone, clip, pathToFirstCut, pathToLongList, quoted } from './bounded.js';
import { matchSelectsNothing, operationValueErrors, securityValueErrors } from './policy-values.js';
import { settingsSchema } from './settings-schema.js';
import {
  API_VERSION,
  POLICY_KINDS,
  defaultSettings,
  type FieldError,
  type LabelSelector,
  type OperationPolicy,
  type PolicyKind,
  type PolicyMatch,
  type ResolvedSettings,
  type SecurityPolicy,
} from './types.js';

export type PolicyValidation = { ok: true; policy: OperationPolicy | SecurityPolicy } | { ok: false; errors: FieldError[] };
export type SettingsValidation = { ok: true; settings: ResolvedSettings; unsupported: FieldError[] } | { ok: false; errors: FieldError[] };

/** Settings of the reference module that are accepted but not implemented here, with what that means. */
const UNSUPPORTED_SETTINGS: Readonly<Record<string, string>> = {
  denyVulnerableImages: 'image vulnerability scanning is not part of this operator: vulnerable images are not denied by it',
};

/** The `v1alpha1` openAPIV3Schema of each policy CRD (crds/*.yaml), as loaded by the edge. */
export type PolicySchemas = Readonly<Record<PolicyKind, SchemaObject>>;

/** Name prefixes of the constraints the operator generates itself; user policies must not use them. */
export const RESERVED_POLICY_NAME_PREFIXES = ['d8-pod-security-', 'd8-system-'] as const;

/** CRD file (relative to the package root) per policy kind. */
export const CRD_FILES: Readonly<Record<PolicyKind, string>> = {
  OperationPolicy: 'crds/operationpolicies.deckhouse.io.yaml',
  SecurityPolicy: 'crds/securitypolicies.deckhouse.io.yaml',
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Schema loading and compilation

/** Annotation-only OpenAPI / Kubernetes keywords ajv must accept in strict mode. */
const ANNOTATION_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  // CEL rules are enforced by the API server only.
  'x-kubernetes-validations',
  'example',
  'externalDocs',
];

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

let ajvInstance: Ajv | undefined;
function ajv(): Ajv {
  if (ajvInstance) return ajvInstance;
  const a = new Ajv({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    strict: true,
    // OpenAPI schemas put `required` in anyOf branches without a type; that is fine.
    strictTypes: false,
    strictRequired: false,
    strictTuples: false,
  });
  for (const keyword of ANNOTATION_KEYWORDS) a.addKeyword({ keyword });
  // list-type set / map: no duplicates (as the API server enforces).
  a.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    errors: false,
    validate: (listType: unknown, data: unknown, parent?: AnySchemaObject) => !Array.isArray(data) || duplicateIndex(String(listType), data, parent) < 0,
  });
  a.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  a.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  a.addFormat('float', { type: 'number', validate: () => true });
  a.addFormat('double', { type: 'number', validate: () => true });
  a.addFormat('date-time', (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)));
  a.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  return (ajvInstance = a);
}

/** Index of the first element that repeats an earlier one under the list type, or -1. */
function duplicateIndex(listType: string, data: unknown[], parent?: AnySchemaObject): number {
  if (listType !== 'set' && listType !== 'map') return -1;
  const keys = (parent?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
  const seen = new Set<string>();
  for (let i = 0; i < data.length; i++) {
    const item = data[i];
    const id = listType === 'map' && isObject(item) ? JSON.stringify(keys.map((k) => item[k])) : JSON.stringify(item);
    if (seen.has(id)) return i;
    seen.add(id);
  }
  return -1;
}

/**
 * Strict-field copy of a schema: objects with `properties` (and no other rule for extra keys)
 * reject unknown keys. Also registers any unknown `format` as annotation-only.
 */
function strictCopy(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: Json = { ...schema };
  const mapOf = (m: unknown) => (isObject(m) ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, strictCopy(v)])) : m);
  if ('properties' in out) out.properties = mapOf(out.properties);
  if ('patternProperties' in out) out.patternProperties = mapOf(out.patternProperties);
  for (const k of ['items', 'additionalProperties', 'not']) if (isObject(out[k])) out[k] = strictCopy(out[k]);
  for (const k of ['anyOf', 'allOf', 'oneOf']) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map(strictCopy);
  if (isObject(out.properties) && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (typeof out.format === 'string' && !ajv().formats[out.format]) ajv().addFormat(out.format, true);
  return out;
}

// Keyed by the schema object: the edge loads each CRD schema once, so each compiles once.
const validators = new WeakMap<object, ValidateFunction>();
function compiled(schema: SchemaObject): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = ajv().compile(strictCopy(schema) as SchemaObject);
    validators.set(schema, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Error formatting

/** JSON pointer (`/spec/policies/allowedHostPorts/0/min`) to a field path (`spec.policies.allowedHostPorts[0].min`). */
export function fieldPath(prefix: string, pointer: string): string {
  let out = prefix;
  if (!pointer) return out;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = appendField(out, seg);
  }
  return out;
}

function appendField(path: string, raw: string): string {
  // A map key can be any size; a field path names it, it does not copy it. Keys up to the longest
  // valid label key (317 characters) are kept whole so that a path always names a real key.
  const seg = clip(raw, 320);
  if (/^\d+$/.test(seg)) return `${path}[${seg}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) return path ? `${path}.${seg}` : seg;
  return `${path}[${seg}]`;
}

const quote = (v: unknown): string => (typeof v === 'string' ? quoted(v) : JSON.stringify(v) ?? String(v));

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isObject(v)) return 'an object';
  if (typeof v === 'string') return `string ${quoted(v, 60)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  return typeof v;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'an object (a mapping of fields)',
  null: 'null',
};

/** Human descriptions of the patterns used in our schemas. */
const PATTERN_HINTS: Record<string, string> = {
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?/[A-Za-z][A-Za-z0-9]*$':
    'must be "<apiGroup>/<Kind>", e.g. "apps/Deployment", "networking.k8s.io/Ingress", or "/Pod" for the core API group',
  '^[a-z0-9.\\-:@/]*\\*?$':
    'must be an image address made of lower-case letters, digits and the characters . - : @ /, optionally ending in a single "*" (e.g. "registry.example.com/team/*")',
  '^/[^*]*$': 'must be an absolute path starting with "/"; "*" is not supported (a prefix already matches everything below it)',
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': "must be a valid namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit",
};

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return dp[b.length];
}

/** Longest value a "did you mean" is looked for: edit distances cost length x length. */
const SUGGEST_MAX = 256;

function suggest(value: unknown, candidates: readonly unknown[]): string | undefined {
  if (typeof value !== 'string' || value.length > SUGGEST_MAX) return undefined;
  const strs = candidates.filter((c): c is string => typeof c === 'string');
  const norm = (s: string) => s.toLowerCase().replace(/^cap_/, '').replace(/[-_]/g, '');
  const exactish = strs.find((c) => norm(c) === norm(value));
  if (exactish) return exactish;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of strs) {
    // The distance is at least the difference in length: skip what cannot be close enough.
    if (Math.abs(value.length - c.length) > Math.max(1, Math.floor(c.length / 4))) continue;
    const d = distance(value.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 4)) ? best : undefined;
}

function formatError(e: ErrorObject, prefix: string): FieldError {
  const field = fieldPath(prefix, e.instancePath);
  const p = e.params as Record<string, unknown>;
  const parent = e.parentSchema;
  switch (e.keyword) {
    case 'required':
      return { field: appendField(field, String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const allowed = Object.keys((parent?.properties as Json | undefined) ?? {});
      const hint = suggest(name, allowed);
      return {
        field: appendField(field, name),
        message: hint ? `unknown field; did you mean "${hint}"?` : `unknown field; allowed fields: ${allowed.join(', ')}`,
      };
    }
    case 'enum': {
      const values = (p.allowedValues as unknown[]) ?? [];
      const hint = suggest(e.data, values);
      const list = values.map((v) => (typeof v === 'string' && /^[A-Za-z0-9_.-]+$/.test(v) ? v : quote(v))).join(', ');
      return { field, message: `must be one of ${list} (got ${describe(e.data)})${hint ? `; did you mean ${hint}?` : ''}` };
    }
    case 'type': {
      const types = String(p.type).split(',');
      return { field, message: `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}, got ${describe(e.data)}` };
    }
    case 'pattern': {
      const pattern = String(p.pattern);
      return { field, message: `${PATTERN_HINTS[pattern] ?? `must match the regular expression ${pattern}`} (got ${describe(e.data)})` };
    }
    case 'minimum':
    case 'exclusiveMinimum':
      return { field, message: `must be ${e.keyword === 'minimum' ? 'at least' : 'greater than'} ${String(p.limit)} (got ${describe(e.data)})` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { field, message: `must be ${e.keyword === 'maximum' ? 'at most' : 'less than'} ${String(p.limit)} (got ${describe(e.data)})` };
    case 'minItems':
      return { field, message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { field, message: `must have at most ${String(p.limit)} items` };
    case 'maxProperties':
      return { field, message: `must have at most ${String(p.limit)} entries` };
    case 'minLength':
      return { field, message: Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long` };
    case 'maxLength':
      return { field, message: `must be at most ${String(p.limit)} characters long` };
    case 'format': {
      const formats: Record<string, string> = {
        int32: `a 32-bit integer (${INT32.min}..${INT32.max})`,
        int64: 'an integer that fits in 64 bits',
        'date-time': 'an RFC 3339 date-time, e.g. 2024-01-02T15:04:05Z',
        byte: 'base64-encoded data',
      };
      return { field, message: `must be ${formats[String(p.format)] ?? `in format ${String(p.format)}`} (got ${describe(e.data)})` };
    }
    case 'anyOf': {
      const branches = (e.schema as SchemaObject[]) ?? [];
      const names = branches.map((b) => (isObject(b) && Object.keys(b).length === 1 && Array.isArray(b.required) ? (b.required as string[]) : undefined));
      if (names.every((n) => n !== undefined && n.length === 1)) {
        return { field, message: `must set at least one of ${names.map((n) => n![0]).join(', ')}` };
      }
      return { field, message: 'does not match any of the allowed forms' };
    }
    case 'x-kubernetes-list-type': {
      const data = Array.isArray(e.data) ? e.data : [];
      const i = duplicateIndex(String(e.schema), data, parent);
      const keys = (parent?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      return {
        field: i >= 0 ? `${field}[${i}]` : field,
        message: e.schema === 'map' ? `duplicate entry: ${keys.join(', ')} must be unique in the list` : 'duplicate value: list entries must be unique',
      };
    }
    default:
      return { field, message: e.message ?? `failed ${e.keyword}` };
  }
}

function formatErrors(errors: ErrorObject[] | null | undefined, prefix: string): FieldError[] {
  const all = errors ?? [];
  // anyOf reports every failing branch too; the anyOf error alone says it better.
  const anyOfPaths = [...new Set(all.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath + '/'))];
  const kept = anyOfPaths.length === 0 ? all : all.filter((e) => !anyOfPaths.some((p) => e.schemaPath.startsWith(p)));
  // Only what can be shown is worded (hints, suggestions); the rest is only counted by `capped`,
  // so 100,000 errors cost 100,000 field paths, not 100,000 "did you mean" searches.
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    if (seen.size <= MAX_REPORTED_ERRORS) {
      const formatted = formatError(e, prefix);
      const k = `${formatted.field}\u0000${formatted.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(formatted);
      }
    } else {
      out.push({ field: fieldPath(prefix, e.instancePath), message: `${e.keyword}: ${e.message ?? ''}` });
    }
  }
  return out;
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Checks the schema cannot express

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** The reserved prefix a policy name starts with, if any. */
function reservedNamePrefix(name: string): string | undefined {
  return RESERVED_POLICY_NAME_PREFIXES.find((p) => name.startsWith(p));
}

/** Error for a policy name that takes a prefix reserved for generated constraints. */
export function checkReservedName(name: string): FieldError | undefined {
  const prefix = reservedNamePrefix(name);
  if (!prefix) return undefined;
  return {
    field: 'metadata.name',
    message: `"${name}" starts with "${prefix}", a prefix reserved for constraints the operator generates itself; rename the policy`,
  };
}

/** metadata.name: present, a DNS-1123 subdomain, and (unless disabled) not reserved. */
export function checkPolicyName(name: unknown, opts: { reserved?: boolean } = {}): FieldError[] {
  const field = 'metadata.name';
  if (name === undefined || name === null || name === '') return [{ field, message: 'is required' }];
  if (typeof name !== 'string') return [{ field, message: `must be a string, got ${describe(name)}` }];
  if (name.length > 63) {
    // The policy name becomes the name of its Gatekeeper constraints, which Gatekeeper caps at 63.
    return [{ field, message: `"${name.slice(0, 20)}..." is ${name.length} characters long; a policy name may have at most 63 characters, because its Gatekeeper constraints take its name and Gatekeeper rejects longer names` }];
  }
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return [
      {
        field,
        message: `"${name}" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
      },
    ];
  }
  const reserved = opts.reserved === false ? undefined : checkReservedName(name);
  return reserved ? [reserved] : [];
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `the prefix ${quoted(prefix)} of label key ${quoted(key)} must be a DNS subdomain (lower-case, e.g. example.com)`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `${quoted(key)} is not a valid label key: the name part must be 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
  return `${quoted(value)} is not a valid label value: at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
}

function checkLabelSelector(sel: unknown, path: string, out: FieldError[]): void {
  if (!isObject(sel)) return;
  if (isObject(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      const field = appendField(`${path}.matchLabels`, k);
      const keyProblem = labelKeyProblem(k);
      if (keyProblem) out.push({ field, message: keyProblem });
      const valueProblem = typeof v === 'string' ? labelValueProblem(v) : undefined;
      if (valueProblem) out.push({ field, message: valueProblem });
    }
  }
  if (Array.isArray(sel.matchExpressions)) {
    sel.matchExpressions.forEach((req: unknown, i) => {
      if (!isObject(req)) return;
      const field = `${path}.matchExpressions[${i}]`;
      if (typeof req.key === 'string') {
        const keyProblem = labelKeyProblem(req.key);
        if (keyProblem) out.push({ field: `${field}.key`, message: keyProblem });
      }
      const values = Array.isArray(req.values) ? req.values : [];
      if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
        out.push({ field: `${field}.values`, message: `must be non-empty when operator is ${req.operator}` });
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
        out.push({ field: `${field}.values`, message: `must be empty when operator is ${req.operator}` });
      }
      values.forEach((v: unknown, j) => {
        const problem = typeof v === 'string' ? labelValueProblem(v) : undefined;
        if (problem) out.push({ field: `${field}.values[${j}]`, message: problem });
      });
    });
  }
}

function checkRanges(list: unknown, path: string, out: FieldError[], lo = 'min', hi = 'max'): void {
  const check = (r: unknown, field: string) => {
    if (isObject(r) && typeof r[lo] === 'number' && typeof r[hi] === 'number' && r[lo] > r[hi]) {
      out.push({ field, message: `${lo} (${r[lo]}) is greater than ${hi} (${r[hi]}); ${lo} must not exceed ${hi}` });
    }
  };
  if (Array.isArray(list)) list.forEach((r, i) => check(r, `${path}[${i}]`));
  else check(list, path);
}

function semanticPolicyErrors(kind: PolicyKind, spec: unknown): FieldError[] {
  const out: FieldError[] = [];
  if (!isObject(spec)) return out;
  const match = spec.match;
  if (isObject(match)) {
    if (isObject(match.namespaceSelector)) checkLabelSelector(match.namespaceSelector.labelSelector, 'spec.match.namespaceSelector.labelSelector', out);
    checkLabelSelector(match.labelSelector, 'spec.match.labelSelector', out);
  }
  const p = spec.policies;
  if (!isObject(p)) return out;
  if (kind === 'SecurityPolicy') {
    securityValueErrors(p, out);
    checkRanges(p.allowedHostPorts, 'spec.policies.allowedHostPorts', out);
    for (const f of ['fsGroup', 'runAsUser', 'runAsGroup', 'supplementalGroups']) {
      const block = p[f];
      if (isObject(block)) checkRanges(block.ranges, `spec.policies.${f}.ranges`, out);
    }
  } else {
    operationValueErrors(p, out);
    checkRanges(p.replicaLimits, 'spec.policies.replicaLimits', out, 'minReplicas', 'maxReplicas');
  }
  return out;
}

function isEmptySelector(s: LabelSelector | undefined): boolean {
  return !s || ((!s.matchLabels || Object.keys(s.matchLabels).length === 0) && (!s.matchExpressions || s.matchExpressions.length === 0));
}

/**
 * Gatekeeper's own schema for constraint `match.namespaces` / `match.excludedNamespaces` items
 * (pkg/target/matchcrd_constant.go). Our CRD accepts any string there, so a name outside this
 * pattern would pass the schema and then make the API server (and gator) reject the generated
 * constraint: it is reported on the policy instead.
 */
const GATEKEEPER_NAMESPACE_GLOB = /^\*?[-:a-z0-9]*\*?$/;

/** Match blocks that would select nothing or everything by accident (checked on a schema-valid spec). */
function matchErrors(match: PolicyMatch | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const ns = match?.namespaceSelector;
  if (!match || (!ns && !match.labelSelector)) {
    errors.push({ field: 'spec.match', message: 'must set namespaceSelector or labelSelector; an empty match would select every object in every namespace' });
    return errors;
  }
  for (const list of ['matchNames', 'excludeNames'] as const) {
    (ns?.[list] ?? []).forEach((name, i) => {
      if (!GATEKEEPER_NAMESPACE_GLOB.test(name)) {
        errors.push({
          field: `spec.match.namespaceSelector.${list}[${i}]`,
          message: `${quoted(name)} is not a namespace name or glob: use lower-case letters, digits, '-' and ':', optionally starting and/or ending with "*"`,
        });
      }
    });
  }
  if (ns && !ns.matchNames?.length && !ns.excludeNames?.length && isEmptySelector(ns.labelSelector)) {
    errors.push({ field: 'spec.match.namespaceSelector', message: 'set matchNames, excludeNames or a non-empty labelSelector (to select every namespace use matchNames: ["*"])' });
  }
  if (match.labelSelector && isEmptySelector(match.labelSelector) && !ns) {
    errors.push({ field: 'spec.match.labelSelector', message: 'is empty; add matchLabels or matchExpressions, or use namespaceSelector' });
  }
  matchSelectsNothing(match, errors);
  return errors;
}

/**
 * At most this many errors are reported per object: a list of 100,000 bad values must give a
 * readable status and Event, not 100,000 lines.
 */
const MAX_REPORTED_ERRORS = 20;

function capped(errors: FieldError[]): FieldError[] {
  const unique = dedupe(errors);
  if (unique.length <= MAX_REPORTED_ERRORS) return unique;
  // The last shown entry is a real error (its own field path) that also counts what is left out.
  const shown = unique.slice(0, MAX_REPORTED_ERRORS);
  const next = unique[MAX_REPORTED_ERRORS];
  shown.push({ field: next.field, message: `${next.message} (and ${unique.length - MAX_REPORTED_ERRORS - 1} more errors not shown)` });
  return shown;
}

/** Appends without spreading into a call: a spread of a huge array overflows the call stack. */
function append<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

/**
 * Lists are copied (and so validated) up to this length: the longest list the CRDs allow has 1,024
 * entries, and checking each of 150,000 entries (each string's length counted in code points, as
 * the API server does) would cost seconds per reconcile. A longer list is an error of its own, so
 * a policy is never compiled from part of a list.
 */
const MAX_LIST = 4096;

function tooLong(root: unknown): FieldError {
  const found = pathToLongList(root, MAX_LIST);
  const path = found?.path ?? [];
  return {
    field: path.reduce<string>((acc, seg) => appendField(acc, String(seg)), ''),
    message: `has ${found?.length ?? 'too many'} entries; no list in a policy may have more than 1024 (only the first ${MAX_LIST} were checked)`,
  };
}

/** The error for a value nested deeper than MAX_DEPTH (found again from the uncut input). */
function tooDeep(root: unknown, prefix = ''): FieldError {
  const path = pathToFirstCut(root) ?? [];
  // The field names where the junk starts to be too deep: its first few levels, not all 10,000.
  const shown = path.slice(0, 12).reduce<string>((acc, seg) => appendField(acc, String(seg)), prefix);
  return {
    field: path.length > 12 ? `${shown}...` : shown,
    message: `is nested more than ${MAX_DEPTH} levels deep; nothing in a policy is that deep: remove the nested value`,
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Validates an OperationPolicy or SecurityPolicy against its CRD schema (`schemas`) and the rules
 * a schema cannot express. On success returns a copy with schema defaults applied
 * (`spec.enforcementAction: Deny`, `allowedHostPaths[].readOnly: false`); the input is never
 * mutated. Only apiVersion, kind, metadata, spec and status are kept (extra top-level keys such as
 * a caller's bookkeeping are ignored); status is copied but not validated, being ours.
 * `apiVersion` may be absent (treated as deckhouse.io/v1alpha1). Never throws.
 */
export function validatePolicy(obj: unknown, schemas: PolicySchemas, opts: { reservedNames?: boolean } = {}): PolicyValidation {
  if (!isObject(obj)) return { ok: false, errors: [{ field: '', message: `must be a Kubernetes object (a mapping), got ${describe(obj)}` }] };
  const kind = obj.kind;
  if (!POLICY_KINDS.includes(kind as PolicyKind)) {
    return { ok: false, errors: [{ field: 'kind', message: `must be one of ${POLICY_KINDS.join(', ')} (got ${describe(kind)})` }] };
  }
  const errors: FieldError[] = [];
  if (obj.apiVersion !== undefined && obj.apiVersion !== API_VERSION) {
    errors.push({ field: 'apiVersion', message: `must be ${API_VERSION} (got ${describe(obj.apiVersion)})` });
  }
  const metadata = obj.metadata;
  if (metadata !== undefined && !isObject(metadata)) errors.push({ field: 'metadata', message: `must be an object, got ${describe(metadata)}` });
  append(errors, checkPolicyName(isObject(metadata) ? metadata.name : undefined, { reserved: opts.reservedNames !== false }));

  const cloned = boundedClone({ apiVersion: API_VERSION, kind, metadata: isObject(metadata) ? metadata : {}, spec: obj.spec }, MAX_DEPTH, MAX_LIST);
  const copy = cloned.value as Json;
  if (obj.spec === undefined) delete copy.spec;
  if (cloned.cut) errors.push(tooDeep({ metadata: isObject(metadata) ? metadata : {}, spec: obj.spec }));
  if (cloned.shortened) errors.push(tooLong({ metadata: isObject(metadata) ? metadata : {}, spec: obj.spec }));
  const validate = compiled(schemas[kind as PolicyKind]);
  if (!validate(copy)) append(errors, formatErrors(validate.errors, ''));
  append(errors, semanticPolicyErrors(kind as PolicyKind, copy.spec));
  if (errors.length > 0) return { ok: false, errors: capped(errors) };
  // Only on an otherwise valid spec: the match rules assume the schema's shapes.
  const match = matchErrors((copy.spec as { match?: PolicyMatch } | undefined)?.match);
  if (match.length > 0) return { ok: false, errors: capped(match) };
  // Status is ours and rewritten from the outcome: junk nested too deep in it is dropped, not an error.
  if (obj.status !== undefined) {
    const status = boundedClone(obj.status);
    if (!status.cut) copy.status = status.value;
  }
  return { ok: true, policy: copy as unknown as OperationPolicy | SecurityPolicy };
}

/**
 * A SecurityPolicyException against its CRD schema (`schema`, loaded at the edge) plus what the
 * schema cannot say: its name is what Pod labels carry, so it must also be a valid label value
 * (at most 63 characters), or no label could ever reference it. Never throws.
 */
export function validateException(obj: unknown, schema: SchemaObject): FieldError[] {
  if (!isObject(obj)) return [{ field: '', message: `must be a Kubernetes object (a mapping), got ${describe(obj)}` }];
  const errors: FieldError[] = [];
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') errors.push({ field: 'metadata.name', message: 'is required' });
  else if (name.length > 63 || !DNS1123_SUBDOMAIN.test(name) || labelValueProblem(name)) {
    errors.push({ field: 'metadata.name', message: `${quoted(name)} cannot be referenced: Pods name an exception in a label value, so use at most 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit` });
  }
  const cloned = boundedClone({ apiVersion: obj.apiVersion, kind: obj.kind, metadata, spec: obj.spec }, MAX_DEPTH, MAX_LIST);
  if (cloned.cut) errors.push(tooDeep({ metadata, spec: obj.spec }));
  if (cloned.shortened) errors.push(tooLong({ metadata, spec: obj.spec }));
  const validate = compiled(schema);
  if (!validate(cloned.value)) append(errors, formatErrors(validate.errors, ''));
  return capped(errors);
}

function mergeOver(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? boundedClone(base).value : over;
  const out = boundedClone(base).value as Json;
  for (const [k, v] of Object.entries(over)) out[k] = mergeOver(base[k], v);
  return out;
}

/**
 * Validates module settings (ModuleConfig spec.settings; undefined or null = `{}`) and returns a
 * fresh object merged over `defaultSettings` (lists replace, objects merge). Error fields are
 * prefixed with `settings.`.
 */
export function validateSettings(settings: unknown): SettingsValidation {
  const raw = settings ?? {};
  const cloned = boundedClone(raw, MAX_DEPTH, MAX_LIST);
  const copy = cloned.value;
  if (cloned.cut) return { ok: false, errors: [tooDeep(raw, 'settings')] };
  if (cloned.shortened) {
    const e = tooLong(raw);
    return { ok: false, errors: [{ ...e, field: e.field ? `settings.${e.field}` : 'settings' }] };
  }
  const validate = compiled(settingsSchema);
  if (!validate(copy)) return { ok: false, errors: capped(formatErrors(validate.errors, 'settings')) };
  const errors: FieldError[] = [];
  const pss = (copy as Json).podSecurityStandards;
  if (isObject(pss) && isObject(pss.policies) && isObject(pss.policies.hostPorts)) {
    checkRanges(pss.policies.hostPorts.knownRanges, 'settings.podSecurityStandards.policies.hostPorts.knownRanges', errors);
  }
  if (errors.length > 0) return { ok: false, errors };
  const unsupported: FieldError[] = [];
  for (const [key, why] of Object.entries(UNSUPPORTED_SETTINGS)) {
    if ((copy as Json)[key] !== undefined) {
      unsupported.push({ field: `settings.${key}`, message: `is accepted but not implemented: ${why}` });
      delete (copy as Json)[key];
    }
  }
  return { ok: true, settings: mergeOver(defaultSettings, copy) as ResolvedSettings, unsupported };
}
