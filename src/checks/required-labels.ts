import { type Check, podKinds } from './types.js';

// OperationPolicy `requiredLabels`. The compiler replaces `matches` with the policy's watchKinds;
// the Rego reads only the reviewed object's own metadata, so it works for any kind.
const check: Check = {
  kind: 'D8RequiredLabels',
  rego: 'required-labels',
  libs: ['pods'],
  description:
    "The object's own metadata.labels carry every required key; when allowedRegex is set (applied as written, not anchored) the value matches it.",
  parameters: {
    labels: {
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
  fields: ['requiredLabels'],
  fromPolicy: (p) => {
    const rl = p.requiredLabels;
    if (rl === null || typeof rl !== 'object') return undefined;
    const labels = (rl as { labels?: unknown }).labels;
    return Array.isArray(labels) && labels.length > 0 ? { labels } : undefined;
  },
};
export default check;
