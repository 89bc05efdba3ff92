// SecurityPolicyException wiring: every check whose Rego consults exceptions (imports lib.exception)
// syncs them into Gatekeeper's inventory, and compile lists them in the Config once such a check is used.
import { catalog } from '../../src/checks/index.js';
import { exceptionReferences, exceptionSync } from '../../src/api/exception.js';
import { compile } from '../../src/compile/index.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import { checkRego } from '../../src/compile/template.js';
import { assets, rego } from '../helpers/assets.js';

describe('SecurityPolicyException wiring', () => {
  test('a check consults exceptions exactly when it syncs them', () => {
    const consults = catalog.filter((c) => checkRego(c, rego()).rego.match(/^import data\.lib\.exception$/m)).map((c) => c.kind).sort();
    const syncs = catalog.filter((c) => (c.syncs ?? []).some((s) => s.kind === exceptionSync.kind && s.group === exceptionSync.group)).map((c) => c.kind).sort();
    expect(consults).toEqual(syncs);
    expect(consults).toHaveLength(14);
  });

  test('the PSS sets alone put SecurityPolicyException in the Config sync list', () => {
    const desired = compile({ settings: { ...defaultCompileSettings(), defaultPolicy: 'baseline' }, policies: [], namespaces: [] }, assets());
    const config = desired.objects.find((o) => o.kind === 'Config')!;
    expect((config.spec as { sync: { syncOnly: unknown[] } }).sync.syncOnly).toContainEqual(exceptionSync);
  });

  test('label references: container level per container, empty values ignored', () => {
    const r = exceptionReferences({
      'security.deckhouse.io/security-policy-exception': 'pod-spe',
      'security.deckhouse.io/security-policy-exception.container.side': 'side-spe',
      'security.deckhouse.io/security-policy-exception.container.x': '',
      app: 'web',
    });
    expect(r.pod).toBe('pod-spe');
    expect([...r.containers]).toEqual([['side', 'side-spe']]);
  });
});
