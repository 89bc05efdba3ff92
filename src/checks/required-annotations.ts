import { requiredMetadataCheck } from './required-metadata.js';

// OperationPolicy `requiredAnnotations` on its watchKinds.
export default requiredMetadataCheck({ kind: 'D8RequiredAnnotations', rego: 'required-annotations', field: 'requiredAnnotations', param: 'annotations' });
