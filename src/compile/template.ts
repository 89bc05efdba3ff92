// ConstraintTemplate rendering: a catalog entry plus its Rego folder become one template object.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../checks/types.js';
import { packageRoot } from '../util/package-root.js';
import { ownershipLabels, TEMPLATE_GROUP_LABEL } from './labels.js';

export const TEMPLATE_API_VERSION = 'templates.gatekeeper.sh/v1';
export const GATEKEEPER_TARGET = 'admission.k8s.gatekeeper.sh';

const regoCache = new Map<string, string>();
function readRego(relPath: string): string {
  let text = regoCache.get(relPath);
  if (text === undefined) {
    text = readFileSync(join(packageRoot(), 'templates-rego', relPath), 'utf8');
    regoCache.set(relPath, text);
  }
  return text;
}

export function templateName(check: Check): string {
  return check.kind.toLowerCase();
}

export function checkRego(check: Check): { rego: string; libs: string[] } {
  return {
    rego: readRego(join(check.rego, 'src.rego')),
    libs: check.libs.map((lib) => readRego(join('lib', `${lib}.rego`))),
  };
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
export function renderTemplate(check: Check): ConstraintTemplate {
  const { rego, libs } = checkRego(check);
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
