// Moved to src/api/image-reference.ts (compile renders the template's patterns and checks overlaps
// with the same functions, and compile may not import src/verify); re-exported for the verifier.
export * from '../api/image-reference.js';
