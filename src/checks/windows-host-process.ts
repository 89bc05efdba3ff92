import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "HostProcess" (Windows). No SecurityPolicy field asks for it.
const check: SecurityCheck = {
  kind: 'D8WindowsHostProcess',
  rego: 'windows-host-process',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Pods must not run as Windows HostProcess: securityContext.windowsOptions.hostProcess must not be true at pod level or in any container (regular, init, ephemeral).',
  parameters: {},
  matches: podsAndControllers,
  source: 'SecurityPolicy',
  fields: [],
  pss: { baseline: () => ({}) },
};
export default check;
