// ConstraintTemplate rendering: a catalog entry plus its Rego folder become one template object.
import type { Check, Engine } from '../checks/types.js';
import { byCodePoint } from '../util/order.js';
import { ownershipLabels, TEMPLATE_GROUP_LABEL } from './labels.js';

const TEMPLATE_API_VERSION = 'templates.gatekeeper.sh/v1';
const GATEKEEPER_TARGET = 'admission.k8s.gatekeeper.sh';

function templateName(check: Check): string {
  return check.kind.toLowerCase();
}

/** `import data.lib.pods` (optionally `as x`) at the start of a line: a shared lib the module needs. */
const LIB_IMPORT = /^import\s+data\.lib\.([A-Za-z0-9_]+)\b/gm;

function required(rego: ReadonlyMap<string, string>, path: string, needed: string): string {
  const text = rego.get(path);
  if (text === undefined) throw new Error(`templates-rego/${path} is missing (needed by ${needed})`);
  return text;
}

/**
 * The check's Rego and, in a stable order, every lib it imports (transitively), so a check never
 * lists its libs by hand. Throws when a module is missing: that is a packaging bug, caught when
 * the edge loads the assets (src/cli/assets.ts), never a property of user input.
 */
export function checkRego(check: Check, rego: ReadonlyMap<string, string>): { rego: string; libs: string[] } {
  const main = required(rego, `${check.rego}/src.rego`, check.kind);
  const libs = new Set<string>();
  const pending = [main];
  while (pending.length > 0) {
    for (const m of pending.pop()!.matchAll(LIB_IMPORT)) {
      const name = m[1];
      if (libs.has(name)) continue;
      libs.add(name);
      pending.push(required(rego, `lib/${name}.rego`, check.kind));
    }
  }
  return { rego: main, libs: [...libs].sort(byCodePoint).map((name) => rego.get(`lib/${name}.rego`)!) };
}

/** One CEL variable (ValidatingAdmissionPolicy `spec.variables`). */
export interface CelVariable { name: string; expression: string }

/**
 * A check's CEL (`templates-rego/<rego>/src.cel.yaml`), or a CEL lib (`lib/<name>.cel.yaml`,
 * variables only): Gatekeeper's `K8sNativeValidation` source, minus the lib variables it uses.
 */
export interface CelSource {
  variables?: CelVariable[];
  validations?: { expression: string; message?: string; messageExpression?: string }[];
  matchCondition?: { name: string; expression: string }[];
}

/**
 * Which code the templates carry.
 * - `Exact` (what compile serves): Rego, and CEL beside it where the CEL decides exactly as the
 *   Rego, that is for checks that read no inventory at all. Gatekeeper evaluates a template's CEL
 *   when it has both, so a check that waives findings by SecurityPolicyExceptions keeps Rego alone.
 * - `All`: CEL beside the Rego wherever a check has CEL; objects referencing a SecurityPolicyException
 *   are then judged without it (stricter than Rego).
 * - `Rego` / `CEL`: one engine, for proving each separately; a check without CEL stays Rego in `CEL`.
 */
export type EngineSelection = 'Exact' | 'All' | 'Rego' | 'CEL';

/** `variables.<name>` references in CEL text. */
const CEL_VARIABLE_REF = /\bvariables\.([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The check's CEL source with, first and in their lib order, the lib variables it references
 * (transitively). Throws when the check has no CEL file or references an unknown variable.
 */
export function checkCel(check: Check, cel: ReadonlyMap<string, CelSource>): CelSource {
  const path = `${check.rego}/src.cel.yaml`;
  const own = cel.get(path);
  if (own === undefined) throw new Error(`templates-rego/${path} is missing (needed by ${check.kind}, whose engines include K8sNativeValidation)`);
  const lib = [...cel.entries()].filter(([p]) => p.startsWith('lib/')).sort(([a], [b]) => byCodePoint(a, b)).flatMap(([, s]) => s.variables ?? []);
  const libByName = new Map(lib.map((v) => [v.name, v]));
  const ownNames = new Set((own.variables ?? []).map((v) => v.name));
  const needed = new Set<string>();
  const visit = (text: string) => {
    for (const m of text.matchAll(CEL_VARIABLE_REF)) {
      const name = m[1];
      // Gatekeeper's own variables (params, anyObject) and the check's own come with the template.
      if (name === 'params' || name === 'anyObject' || ownNames.has(name) || needed.has(name)) continue;
      const v = libByName.get(name);
      if (v === undefined) throw new Error(`templates-rego/${path}: variables.${name} is neither the check's own nor a CEL lib variable`);
      needed.add(name);
      visit(v.expression);
    }
  };
  for (const v of own.variables ?? []) visit(v.expression);
  for (const v of own.validations ?? []) visit(`${v.expression} ${v.messageExpression ?? ''}`);
  for (const m of own.matchCondition ?? []) visit(m.expression);
  const out: CelSource = { variables: [...lib.filter((v) => needed.has(v.name)), ...(own.variables ?? [])] };
  if (own.matchCondition) out.matchCondition = own.matchCondition;
  if (own.validations) out.validations = own.validations;
  return out;
}

/** Whether a template built with `selection` carries the check's CEL, and its Rego. */
export function templateEngines(check: Check, selection: EngineSelection = 'Exact'): Engine[] {
  const hasCel = check.engines.includes('K8sNativeValidation');
  if (selection === 'Rego' || !hasCel) return ['Rego'];
  if (selection === 'CEL') return ['K8sNativeValidation'];
  if (selection === 'Exact' && ((check.syncs?.length ?? 0) > 0 || check.celOnRequest !== undefined)) return ['Rego'];
  return ['K8sNativeValidation', 'Rego'];
}

const templateGroup: Record<Check['source'], string> = {
  SecurityPolicy: 'security-policy',
  OperationPolicy: 'operation-policy',
  BuiltIn: 'security-policy',
};

export interface ConstraintTemplate {
  apiVersion: string;
  kind: 'ConstraintTemplate';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: unknown;
}

/**
 * The ConstraintTemplate for a check. Rego is served as a v1 source in `code[]` (never the legacy
 * `rego` field, which Gatekeeper parses as v0), with the shared libs beside it.
 */
export function renderTemplate(
  check: Check, regoSources: ReadonlyMap<string, string>,
  options: { cel?: ReadonlyMap<string, CelSource>; engines?: EngineSelection } = {},
): ConstraintTemplate {
  const code: { engine: Engine; source: unknown }[] = [];
  for (const engine of templateEngines(check, options.engines)) {
    if (engine === 'Rego') {
      const { rego, libs } = checkRego(check, regoSources);
      const source: Record<string, unknown> = { version: 'v1', rego };
      if (libs.length > 0) source.libs = libs;
      code.push({ engine, source });
    } else {
      code.push({ engine, source: checkCel(check, options.cel ?? new Map()) });
    }
  }
  return {
    apiVersion: TEMPLATE_API_VERSION,
    kind: 'ConstraintTemplate',
    metadata: {
      name: templateName(check),
      labels: { ...ownershipLabels('ConstraintTemplate'), [TEMPLATE_GROUP_LABEL]: templateGroup[check.source] },
      annotations: { 'metadata.gatekeeper.sh/title': check.kind, description: check.description },
    },
    spec: {
      crd: {
        spec: {
          names: { kind: check.kind },
          validation: {
            // Gatekeeper prunes unknown parameters, so an exact schema doubles as input validation.
            openAPIV3Schema: { type: 'object', properties: check.parameters },
          },
        },
      },
      targets: [{ target: GATEKEEPER_TARGET, code }],
    },
  };
}
