// OpenAPI v3 schema of the module settings (ModuleConfig `admission-policy-engine` spec.settings).
// Defaults are not in the schema: validateSettings merges the result over `defaultSettings`
// (src/api/types.ts), the single place they are defined. Unknown keys are rejected.

const hostPort = { type: 'integer', format: 'int32', minimum: 0, maximum: 65535 } as const;

export const settingsSchema = {
  type: 'object',
  properties: {
    podSecurityStandards: {
      type: 'object',
      description: 'Pod Security Standards applied to namespaces (overridable per namespace with labels).',
      properties: {
        defaultPolicy: {
          type: 'string',
          description: 'Standard for namespaces without the `security.deckhouse.io/pod-policy` label. Default Baseline.',
          enum: ['Privileged', 'Baseline', 'Restricted'],
        },
        enforcementAction: {
          type: 'string',
          description: 'Cluster-wide action for Pod Security Standards violations. Default Deny.',
          enum: ['Deny', 'Warn', 'Dryrun'],
        },
        controllerValidation: {
          type: 'boolean',
          description: 'Also check pod controllers (Deployment, StatefulSet, DaemonSet, ReplicationController, Job, CronJob), not only Pods. Default true.',
        },
        policies: {
          type: 'object',
          properties: {
            hostPorts: {
              type: 'object',
              properties: {
                knownRanges: {
                  type: 'array',
                  description: 'hostPort ranges (inclusive) the Baseline standard tolerates.',
                  // Ranges are merged into one constraint parameter; 256 is far beyond any real list.
                  maxItems: 256,
                  items: { type: 'object', required: ['min', 'max'], properties: { min: hostPort, max: hostPort } },
                },
              },
            },
          },
        },
      },
    },
    // Reference settings this product does not implement: accepted (a migrated ModuleConfig must not
    // lose every other setting) and reported as not enforced (validateSettings' `unsupported`).
    denyVulnerableImages: {
      type: 'object',
      description: 'Deckhouse setting (image vulnerability scanning) this operator does not implement; accepted and reported.',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    policyReports: {
      type: 'object',
      description: 'Write the violations Gatekeeper\'s audit finds as openreports.io Reports (one per namespace, a ClusterReport for cluster-scoped objects). Needs the openreports.io CRDs (installed by Policy Reporter or Kyverno). Not a Deckhouse setting.',
      properties: {
        enabled: { type: 'boolean', description: 'Default false.' },
        maxResultsPerReport: {
          type: 'integer', minimum: 1, maximum: 10000,
          description: 'Results kept per report (default 1000); past it the rest are dropped and counted in the summary, so a report never outgrows etcd.',
        },
      },
    },
    admissionWebhook: {
      type: 'object',
      description: 'The ValidatingWebhookConfiguration the operator manages to route requests to Gatekeeper (not a Deckhouse setting). System namespaces (d8-*, kube-*) always fail open.',
      properties: {
        failurePolicy: {
          type: 'string',
          enum: ['Fail', 'Ignore'],
          description: 'When Gatekeeper does not answer: Fail (default) refuses the request, so nothing violating gets in but API writes in user namespaces stop while Gatekeeper is down; Ignore admits it, so nothing is enforced meanwhile.',
        },
        timeoutSeconds: {
          type: 'integer', minimum: 1, maximum: 30,
          description: 'How long the API server waits for Gatekeeper per request (default 3; the API server allows 1-30). Longer rides out a slow Gatekeeper but holds every routed write that long when it hangs.',
        },
      },
    },
    gatekeeper: {
      type: 'object',
      description: 'Where the cluster Gatekeeper runs (not a Deckhouse setting).',
      properties: {
        namespace: {
          type: 'string',
          description: 'Namespace of Gatekeeper and its `Config`.',
          maxLength: 63,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
        },
      },
    },
  },
} as const;
