// Module settings (ModuleConfig `admission-policy-engine` spec.settings) to compiler settings.
import { validateSettings } from '../api/validate.js';
import type { Action, CompileSettings, FieldError, Standard } from './types.js';

export const DEFAULT_GATEKEEPER_NAMESPACE = 'd8-admission-policy-engine';

interface ModuleSettings {
  podSecurityStandards?: {
    defaultPolicy?: string;
    enforcementAction?: string;
    controllerValidation?: boolean;
    policies?: { hostPorts?: { knownRanges?: { min: number; max: number }[] } };
  };
  gatekeeper?: { namespace?: string };
}

export function toCompileSettings(s: ModuleSettings): CompileSettings {
  const pss = s.podSecurityStandards ?? {};
  return {
    defaultPolicy: (pss.defaultPolicy ?? 'Baseline').toLowerCase() as Standard,
    enforcementAction: (pss.enforcementAction ?? 'Deny').toLowerCase() as Action,
    knownHostPortRanges: pss.policies?.hostPorts?.knownRanges ?? [],
    controllerValidation: pss.controllerValidation ?? true,
    gatekeeperNamespace: s.gatekeeper?.namespace ?? DEFAULT_GATEKEEPER_NAMESPACE,
  };
}

/** Validated settings, or the errors (callers keep their last good settings on errors). */
export function resolveSettings(raw: unknown): { ok: true; settings: CompileSettings } | { ok: false; errors: FieldError[] } {
  const r = validateSettings(raw ?? {});
  if (!r.ok) return { ok: false, errors: r.errors };
  return { ok: true, settings: toCompileSettings(r.settings) };
}

export const defaultCompileSettings = (): CompileSettings => toCompileSettings({});
