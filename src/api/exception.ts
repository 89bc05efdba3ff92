// SecurityPolicyException (crds/securitypolicyexceptions.deckhouse.io.yaml): the kind and the labels
// by which Pods and pod templates reference one. The checks' Rego (templates-rego/lib/exception.rego)
// reads exceptions from Gatekeeper's inventory; these constants are the TypeScript side of the same
// contract (the Config sync entry, the status of each exception, render input).

export const EXCEPTION_GROUP = 'deckhouse.io';
export const EXCEPTION_VERSION = 'v1alpha1';
export const EXCEPTION_KIND = 'SecurityPolicyException';

/** Pod-level reference: `security.deckhouse.io/security-policy-exception: <name>`. */
export const EXCEPTION_POD_LABEL = 'security.deckhouse.io/security-policy-exception';

/** Container-level reference (wins for that container): `<prefix><container>: <name>`. */
export const EXCEPTION_CONTAINER_LABEL_PREFIX = 'security.deckhouse.io/security-policy-exception.container.';

/** The Gatekeeper `Config` sync entry every check that consults exceptions needs. */
export const exceptionSync = { group: EXCEPTION_GROUP, version: EXCEPTION_VERSION, kind: EXCEPTION_KIND } as const;

/**
 * Which exceptions a pod's labels reference: the pod-level one (or undefined) and, per container
 * name, the container-level one. Empty values reference nothing (as in the Rego).
 */
export function exceptionReferences(labels: Readonly<Record<string, string>> | undefined): { pod?: string; containers: Map<string, string> } {
  const containers = new Map<string, string>();
  let pod: string | undefined;
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string' || value === '') continue;
    if (key === EXCEPTION_POD_LABEL) pod = value;
    else if (key.startsWith(EXCEPTION_CONTAINER_LABEL_PREFIX) && key.length > EXCEPTION_CONTAINER_LABEL_PREFIX.length) {
      containers.set(key.slice(EXCEPTION_CONTAINER_LABEL_PREFIX.length), value);
    }
  }
  return { pod, containers };
}
