import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "Host Probes / Lifecycle Hooks" (Kubernetes 1.34+). No SecurityPolicy field asks for it.
const check: SecurityCheck = {
  kind: 'D8HostProbesLifecycle',
  rego: 'host-probes-lifecycle',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Probes (liveness, readiness, startup) and lifecycle handlers (postStart, preStop) of every container must not set httpGet.host or tcpSocket.host.',
  parameters: {},
  matches: podsAndControllers,
  source: 'SecurityPolicy',
  fields: [],
  pss: { baseline: () => ({}) },
};
export default check;
