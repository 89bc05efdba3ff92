// The edge that loads what the pure core needs from the package: every Rego module under
// templates-rego/ (tests excluded) and the policy CRD schemas under crds/. Loaded once per process
// and checked at once, so a broken package fails at start-up with the missing file named, never in
// the middle of a reconcile.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SchemaObject } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { POLICY_KINDS, type PolicyKind } from '../api/types.js';
import { CRD_FILES } from '../api/validate.js';
import type { Check } from '../checks/types.js';
import { catalog as defaultCatalog } from '../checks/index.js';
import type { Assets } from '../compile/assets.js';
import { checkCel, checkRego, type CelSource } from '../compile/template.js';
import { packageRoot } from '../util/package-root.js';

/** The `v1alpha1` openAPIV3Schema of a CRD file. */
export function loadCrdSchema(path: string, version = 'v1alpha1'): SchemaObject {
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const crd = doc.toJS() as { kind?: string; spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: SchemaObject } }[] } };
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const schema = crd.spec?.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
    if (schema) return schema;
  }
  throw new Error(`${path}: no CustomResourceDefinition with an openAPIV3Schema for version ${version}`);
}

function regoModules(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
      }
    }
  };
  walk(dir);
  return out;
}

/** Every CEL file under templates-rego/ (`<check>/src.cel.yaml`, `lib/<name>.cel.yaml`), parsed. */
function celSources(dir: string): Map<string, CelSource> {
  const out = new Map<string, CelSource>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.cel.yaml')) out.set(relative(dir, full).split(sep).join('/'), parse(readFileSync(full, 'utf8')) as CelSource);
    }
  };
  walk(dir);
  return out;
}

/** Reads the assets from a package root and checks every catalog check finds its Rego and libs. */
export function loadAssets(root = packageRoot(), catalog: readonly Check[] = defaultCatalog): Assets {
  const rego = regoModules(join(root, 'templates-rego'));
  const schemas = {} as Record<PolicyKind, SchemaObject>;
  for (const kind of POLICY_KINDS) schemas[kind] = loadCrdSchema(join(root, CRD_FILES[kind]));
  const cel = celSources(join(root, 'templates-rego'));
  for (const check of catalog) {
    checkRego(check, rego);
    if (check.engines.includes('K8sNativeValidation')) checkCel(check, cel);
  }
  return { rego, cel, schemas: schemas };
}

let cached: Assets | undefined;
/** The package's own assets, loaded on first use. */
export function packageAssets(): Assets {
  return (cached ??= loadAssets());
}

const EXCEPTION_CRD = 'crds/securitypolicyexceptions.deckhouse.io.yaml';
let exception: SchemaObject | undefined;
/** The SecurityPolicyException schema (render checks exceptions; compile never needs it). */
export function exceptionSchema(root = packageRoot()): SchemaObject {
  return (exception ??= loadCrdSchema(join(root, EXCEPTION_CRD)));
}
