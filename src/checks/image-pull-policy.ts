import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `imagePullPolicy`.
const check: OperationCheck = {
  kind: 'D8ImagePullPolicy',
  rego: 'image-pull-policy',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'An imagePullPolicy set on a regular container must equal the required policy (unset is not reviewed; note the API server defaults it on Pods: Always for ":latest" or untagged images, IfNotPresent otherwise).',
  parameters: {
    policy: { type: 'string', enum: ['Always', 'IfNotPresent'] },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['imagePullPolicy'],
  fromPolicy: (p) => (typeof p.imagePullPolicy === 'string' ? { policy: p.imagePullPolicy } : undefined),
};
export default check;
