import { type Check, podKinds } from './types.js';

// OperationPolicy `requiredAnnotations`. The compiler replaces `matches` with the policy's watchKinds;
// the Rego reads only the reviewed object's own metadata, so it works for any kind.
const check: Check = {
  kind: 'D8RequiredAnnotations',
  rego: 'required-annotations',
  libs: ['pods'],
  description:
    "The object's own metadata.annotations carry every required key; when allowedRegex is set (applied as written, not anchored) the value matches it.",
  parameters: {
    annotations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          allowedRegex: { type: 'string' },
        },
        required: ['key'],
      },
    },
  },
  matches: podKinds,
  source: 'OperationPolicy',
  fields: ['requiredAnnotations'],
  fromPolicy: (p) => {
    const rl = p.requiredAnnotations;
    if (rl === null || typeof rl !== 'object') return undefined;
    const annotations = (rl as { annotations?: unknown }).annotations;
    return Array.isArray(annotations) && annotations.length > 0 ? { annotations } : undefined;
  },
};
export default check;
