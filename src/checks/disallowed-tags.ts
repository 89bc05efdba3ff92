import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `disallowedImageTags`.
const check: OperationCheck = {
  kind: 'D8DisallowedTags',
  rego: 'disallowed-tags',
  engines: ['Rego', 'K8sNativeValidation'],
  celOnRequest: 'its messages quote tags from the policy',
  description:
    'No container image (regular, init, ephemeral) may use a disallowed tag; an image without tag and digest means "latest", a digest-pinned image is always allowed.',
  parameters: {
    tags: { type: 'array', items: { type: 'string' } },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['disallowedImageTags'],
  // An empty list disallows nothing: no constraint.
  fromPolicy: (p) => {
    const tags = p.disallowedImageTags;
    return Array.isArray(tags) && tags.length > 0 ? { tags } : undefined;
  },
};
export default check;
