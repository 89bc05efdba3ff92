import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `allowedRepos`.
const check: OperationCheck = {
  kind: 'D8AllowedRepos',
  rego: 'allowed-repos',
  engines: ['Rego', 'K8sNativeValidation'],
  celOnRequest: 'its messages quote repository prefixes from the policy',
  description:
    'Every container image (regular, init, ephemeral) must start with one of the allowed repository prefixes (plain string prefix: end a prefix with "/" to stop "registry.example.com" from also admitting "registry.example.com.evil.io").',
  parameters: {
    repos: { type: 'array', items: { type: 'string' } },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['allowedRepos'],
  // An empty list is dropped, as the reference's `if` on the value does (no constraint).
  fromPolicy: (p) => {
    const repos = p.allowedRepos;
    return Array.isArray(repos) && repos.length > 0 ? { repos } : undefined;
  },
};
export default check;
