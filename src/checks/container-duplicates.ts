import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `checkContainerDuplicates`.
const check: OperationCheck = {
  kind: 'D8ContainerDuplicates',
  rego: 'container-duplicates',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Container names are unique among containers and, separately, among initContainers; env variable names are unique within each container.',
  parameters: {},
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['checkContainerDuplicates'],
  // Only an explicit true asks for the check (false is dropped, as the reference's omitempty does).
  fromPolicy: (p) => (p.checkContainerDuplicates === true ? {} : undefined),
};
export default check;
