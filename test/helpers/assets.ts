// The package's Rego and CRD schemas, loaded once per test file the way the CLI loads them.
import { packageAssets } from '../../src/cli/assets.js';
import type { Assets } from '../../src/compile/assets.js';

export const assets = (): Assets => packageAssets();
export const schemas = () => packageAssets().schemas;
export const rego = () => packageAssets().rego;
export const cel = () => packageAssets().cel ?? new Map();
