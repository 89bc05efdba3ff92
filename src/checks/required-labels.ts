import { requiredMetadataCheck } from './required-metadata.js';

// OperationPolicy `requiredLabels` on its watchKinds.
export default requiredMetadataCheck({ kind: 'D8RequiredLabels', rego: 'required-labels', field: 'requiredLabels', param: 'labels' });
