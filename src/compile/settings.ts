// Module settings (ModuleConfig `admission-policy-engine` spec.settings) to compiler settings.
import { validateSettings } from '../api/validate.js';
import { defaultSettings, type ResolvedSettings } from '../api/types.js';
import type { Action, CompileSettings, FieldError, Standard } from './types.js';

export function toCompileSettings(s: ResolvedSettings): CompileSettings {
  const pss = s.podSecurityStandards;
  return {
    defaultPolicy: pss.defaultPolicy.toLowerCase() as Standard,
    enforcementAction: pss.enforcementAction.toLowerCase() as Action,
    knownHostPortRanges: pss.policies.hostPorts.knownRanges.map((r) => ({ ...r })),
    controllerValidation: pss.controllerValidation,
    gatekeeperNamespace: s.gatekeeper.namespace,
    policyReports: { ...s.policyReports },
    admissionWebhook: { ...s.admissionWebhook },
  };
}

/** Validated settings, or the errors (callers keep their last good settings on errors). */
export function resolveSettings(raw: unknown): { ok: true; settings: CompileSettings; unsupported: FieldError[] } | { ok: false; errors: FieldError[] } {
  const r = validateSettings(raw ?? {});
  if (!r.ok) return { ok: false, errors: r.errors };
  return { ok: true, settings: toCompileSettings(r.settings), unsupported: r.unsupported };
}

export const defaultCompileSettings = (): CompileSettings => toCompileSettings(defaultSettings);
