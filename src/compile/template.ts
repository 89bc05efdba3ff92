// ConstraintTemplate rendering: a catalog entry plus its Rego folder become one template object.
import type { Check } from '../checks/types.js';
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
export function renderTemplate(check: Check, regoSources: ReadonlyMap<string, string>): ConstraintTemplate {
  const { rego, libs } = checkRego(check, regoSources);
  const source: Record<string, unknown> = { version: 'v1', rego };
  if (libs.length > 0) source.libs = libs;
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
      targets: [{ target: GATEKEEPER_TARGET, code: [{ engine: 'Rego', source }] }],
    },
  };
}
