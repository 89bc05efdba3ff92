// Placeholder until this check lands: the catalog skips undefined entries.
import type { Check } from './types.js';

const check: Check | undefined = undefined;
export default check;
