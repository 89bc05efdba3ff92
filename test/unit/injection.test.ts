// Injection: policy strings full of Rego and JSON metacharacters (quotes, backslashes, braces,
// newlines, backticks, `import data`, `violation contains`, `package x`, `#`, `${}`, `%v`, NUL)
// only ever become constraint parameters. The ConstraintTemplates (the only place Rego lives)
// stay byte-identical to those compiled without any policy, the strings come back unchanged in
// the parameters and through the YAML that `render` prints, and Gatekeeper (gator) still
// evaluates the constraints, echoing the strings only inside violation messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { catalog } from '../../src/checks/index.js';
import { renderYaml } from '../../src/cli/render.js';
import { compile } from '../../src/compile/index.js';
import { SOURCE_NAME_LABEL } from '../../src/compile/labels.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import type { Desired, GeneratedObject, PolicyInput } from '../../src/compile/types.js';
import { run } from '../helpers/run.js';
import { toolPath } from '../helpers/tools.js';
import { assets } from '../helpers/assets.js';
import { withoutExternalData } from '../helpers/gator.js';

type Obj = Record<string, unknown>;

const PAYLOAD = '"\\}{\n`import data.inventory\nviolation contains {"msg": "pwned"} if { true }\npackage x # ${} %v %s %q \u0000 \'\r\t';
const MARK = 'inj-';
/** A unique, recognisable string per field, each carrying the whole payload. */
const nasty = (tag: string) => `${MARK}${tag}${PAYLOAD}`;
/**
 * The payload cut to fit a taint value (the CRD caps it at 63 characters, as Kubernetes does):
 * still quotes, backslash, braces, a newline, `import`, `${}`, `%v` and NUL.
 */
const nastyShort = (tag: string) => `${MARK}${tag}"\\}{\n\`import data.x # \${} %v \u0000'`;
/** The payload as an RE2 literal: regexes are validated as RE2, and must still carry it unchanged. */
const nastyRegex = (tag: string) => nasty(tag).replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

const securityPolicy: PolicyInput = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name: 'injection-sec' },
  spec: {
    enforcementAction: 'Deny',
    match: { namespaceSelector: { matchNames: ['default'] } },
    policies: {
      // The schema only asks for a leading "/" and no "*".
      allowedHostPaths: [{ pathPrefix: `/${nasty('hostpath')}`, readOnly: true }],
      allowedAppArmor: ['runtime/default', nasty('apparmor')],
      allowedFlexVolumes: [{ driver: nasty('flex') }],
      allowedUnsafeSysctls: [nasty('sysctl-allowed')],
      forbiddenSysctls: [nasty('sysctl-forbidden')],
      allowedClusterRoles: [nasty('clusterrole')],
      seccompProfiles: { allowedProfiles: ['RuntimeDefault', 'Localhost', `localhost/${nasty('seccomp-profile')}`], allowedLocalhostFiles: [nasty('seccomp-file')] },
      seLinux: [{ level: nasty('se-level'), role: nasty('se-role'), type: nasty('se-type'), user: nasty('se-user') }],
    },
  },
};

const operationPolicy: PolicyInput = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'OperationPolicy',
  metadata: { name: 'injection-ops' },
  spec: {
    enforcementAction: 'Deny',
    match: { namespaceSelector: { matchNames: ['default'] } },
    policies: {
      allowedRepos: [nasty('repo')],
      disallowedImageTags: [nasty('tag'), 'latest'],
      disallowedTolerations: [{ key: nasty('tol-key'), operator: 'Equal', value: nastyShort('tol-value'), effect: 'NoSchedule' }],
      requiredLabels: { labels: [{ key: nasty('label-key'), allowedRegex: nastyRegex('label-regex') }], watchKinds: ['/Pod'] },
      requiredAnnotations: { annotations: [{ key: nasty('annotation-key'), allowedRegex: nastyRegex('annotation-regex') }], watchKinds: ['/Pod'] },
      priorityClassNames: [nasty('priority')],
      ingressClassNames: [nasty('ingress')],
      storageClassNames: [nasty('storage')],
    },
  },
};

/** Every string inside a value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, strings(k, out));
  return out;
}

const injected = [...strings(securityPolicy.spec), ...strings(operationPolicy.spec)].filter((s) => s.includes(MARK));
const settings = defaultCompileSettings();
const templatesOf = (d: Desired) => d.objects.filter((o) => o.kind === 'ConstraintTemplate');
const ownConstraints = (d: Desired) => d.objects.filter((o) => ['injection-sec', 'injection-ops'].includes(o.metadata.labels?.[SOURCE_NAME_LABEL] ?? ''));

describe('metacharacters in policy strings reach only constraint parameters', () => {
  const baseline = compile({ settings, policies: [], namespaces: [] }, assets());
  const desired = compile({ settings, policies: [securityPolicy, operationPolicy], namespaces: [] }, assets());

  test('the payload is accepted by the schema wherever a free-form string is allowed', () => {
    expect(injected.length).toBeGreaterThanOrEqual(20);
    for (const p of desired.policies) expect({ name: p.name, valid: p.valid, errors: p.errors }).toEqual({ name: p.name, valid: true, errors: [] });
    const kinds = ownConstraints(desired).map((c) => c.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'D8AllowedClusterRoles', 'D8AllowedFlexVolumes', 'D8AllowedHostPaths', 'D8AllowedRepos', 'D8AllowedSeccompProfiles', 'D8AllowedSysctls',
        'D8AppArmor', 'D8DisallowedTags', 'D8DisallowedTolerations', 'D8IngressClass', 'D8PriorityClass', 'D8RequiredAnnotations', 'D8RequiredLabels',
        'D8SeLinux', 'D8StorageClass',
      ]),
    );
  });

  test('ConstraintTemplates are byte-identical to those compiled without any policy', () => {
    const templates = templatesOf(desired);
    expect(templates).toHaveLength(catalog.length);
    expect(JSON.stringify(templates)).toBe(JSON.stringify(templatesOf(baseline)));
    expect(renderYaml(templates)).toBe(renderYaml(templatesOf(baseline)));
    for (const t of templates) expect(JSON.stringify(t)).not.toContain(MARK);
  });

  test('every injected string is in the parameters, unchanged, and nowhere else in the constraints', () => {
    const own = ownConstraints(desired);
    const inParams = new Set(own.flatMap((c) => strings((c.spec as { parameters?: unknown }).parameters)));
    for (const s of injected) expect(inParams.has(s)).toBe(true);
    for (const c of own) {
      const { parameters: _p, ...spec } = c.spec as Obj;
      expect(JSON.stringify({ ...c, spec })).not.toContain(MARK);
    }
    // Nothing else carries them either (PSS and built-in constraints, Config).
    for (const o of desired.objects.filter((x) => !own.includes(x))) expect(JSON.stringify(o)).not.toContain(MARK);
    // Exactly what the catalog derives from the policy (the policy's own lists, not re-encoded).
    for (const c of own) {
      const check = catalog.find((k) => k.kind === c.kind)!;
      const source = c.metadata.name === 'injection-sec' ? securityPolicy : operationPolicy;
      expect((c.spec as Obj).parameters ?? {}).toEqual((check as { fromPolicy?: (p: unknown) => unknown }).fromPolicy!(structuredClone((source.spec as { policies: Obj }).policies)));
    }
  });

  test('the strings survive the YAML render prints (read as YAML 1.1 and 1.2) and JSON', () => {
    const yaml = renderYaml(desired.objects);
    for (const version of ['1.1', '1.2'] as const) {
      const docs = parseAllDocuments(yaml, { version }).map((d) => d.toJS() as GeneratedObject);
      expect(docs).toEqual(desired.objects);
    }
    expect(JSON.parse(JSON.stringify(desired.objects))).toEqual(desired.objects);
  });

  test('namespace names and label selectors reject the payload instead of passing it on', () => {
    const withMatch = (match: unknown): PolicyInput => ({ ...securityPolicy, metadata: { name: 'injection-match' }, spec: { ...(securityPolicy.spec as Obj), match } });
    const cases: [unknown, string][] = [
      [{ namespaceSelector: { matchNames: [nasty('ns')] } }, 'spec.match.namespaceSelector.matchNames[0]'],
      [{ namespaceSelector: { excludeNames: ['ok', nasty('ns')] } }, 'spec.match.namespaceSelector.excludeNames[1]'],
      [{ labelSelector: { matchLabels: { app: nasty('value') } } }, 'spec.match.labelSelector.matchLabels.app'],
      [{ labelSelector: { matchExpressions: [{ key: nasty('key'), operator: 'Exists' }] } }, 'spec.match.labelSelector.matchExpressions[0].key'],
    ];
    for (const [match, field] of cases) {
      const d = compile({ settings, policies: [withMatch(match)], namespaces: [] }, assets());
      expect(d.policies[0].valid).toBe(false);
      expect(d.policies[0].errors.map((e) => e.field)).toContain(field);
      for (const o of d.objects) expect(JSON.stringify(o)).not.toContain(MARK);
    }
  });

  test('every code point and every YAML-ambiguous string comes back from gator unchanged', () => {
    // The whole BMP (no surrogate halves) in chunks, astral characters, and strings YAML readers
    // resolve to other types or misread (booleans, numbers, timestamps, block-scalar traps).
    const chunks: string[] = [];
    let chunk = '';
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      chunk += String.fromCharCode(cp);
      // 1,024 characters: the CRD's maxLength for an allowedRepos entry.
      if (chunk.length === 1024) [chunks[chunks.length], chunk] = [chunk, ''];
    }
    if (chunk) chunks.push(chunk);
    chunks.push('\u{1F600}\u{10FFFF}');
    const ambiguous = [
      'y', 'Y', 'n', 'yes', 'No', 'on', 'OFF', 'true', '~', 'null', 'Null', '.inf', '-.Inf', '.NaN', '0o17', '0x1F', '0b101', '1_000', '-_3',
      '+1', '.5', '1e3', '1:30', '190:20:30.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '=', '<<', '- x', '? x', '---', '...', '#x',
      '&a', '*a', '!t', '%x', '@x', '`x', '|', '>', ' lead', 'trail ', '\tlead', '\t\nx', ' \n', 'a\n \nb', '\n', '\n\n', 'a\r\nb', '\u0085',
      '\u2028x', '\ufeffbom',
    ];
    const repos = [...chunks, ...ambiguous];
    const policy: PolicyInput = {
      kind: 'OperationPolicy',
      metadata: { name: 'codepoints' },
      spec: { match: { namespaceSelector: { matchNames: ['default'] } }, policies: { allowedRepos: repos } },
    };
    const d = compile({ settings, policies: [policy], namespaces: [] }, assets());
    expect({ valid: d.policies[0].valid, errors: d.policies[0].errors }).toEqual({ valid: true, errors: [] });
    const dir = mkdtempSync(join(tmpdir(), 'ape-codepoints-'));
    try {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'zz.invalid/app:1' }] } };
      // Just this check: its template and constraint.
      const objs = d.objects.filter((o) => o.metadata.name === 'd8allowedrepos' || (o.kind === 'D8AllowedRepos' && o.metadata.name === 'codepoints'));
      expect(objs).toHaveLength(2);
      writeFileSync(join(dir, 'desired.yaml'), renderYaml(objs));
      writeFileSync(join(dir, 'pod.yaml'), stringify(pod));
      const r = run(toolPath('gator'), ['test', '-f', join(dir, 'desired.yaml'), '-f', join(dir, 'pod.yaml'), '-o', 'json']);
      if (r.stderr.trim() !== '' || r.status !== 1) throw new Error(`gator exit ${r.status}\nstderr: ${r.stderr.slice(0, 3000)}`);
      const results = JSON.parse(r.stdout) as { constraint: { kind: string; spec: { parameters: { repos: string[] } } } }[];
      const got = results.find((x) => x.constraint.kind === 'D8AllowedRepos')!.constraint.spec.parameters.repos;
      expect(got.length).toBe(repos.length);
      got.forEach((g, i) => {
        if (g !== repos[i]) throw new Error(`repos[${i}] changed on the way to gator: ${JSON.stringify(repos[i]).slice(0, 200)} -> ${JSON.stringify(g).slice(0, 200)}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('gator evaluates the constraints: violations come back, the payload only inside messages and details', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ape-injection-'));
    try {
      const objects: object[] = [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'victim', namespace: 'default', annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/other' } },
          spec: {
            priorityClassName: 'high',
            securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '0' }], seLinuxOptions: { type: 'spc_t' } },
            tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }],
            containers: [{ name: 'app', image: 'evil.example/app:latest', volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
            volumes: [
              { name: 'host', hostPath: { path: '/etc' } },
              { name: 'flex', flexVolume: { driver: 'other/driver' } },
            ],
          },
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'binding', namespace: 'default' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
          subjects: [{ kind: 'User', name: 'x' }],
        },
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claim', namespace: 'default' }, spec: { storageClassName: 'fast' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default' }, spec: { ingressClassName: 'nginx' } },
      ];
      writeFileSync(join(dir, 'desired.yaml'), renderYaml(withoutExternalData(desired.objects)));
      writeFileSync(join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
      const r = run(toolPath('gator'), ['test', '-f', join(dir, 'desired.yaml'), '-f', join(dir, 'objects.yaml'), '-o', 'json']);
      if (r.stderr.trim() !== '' || r.status !== 1) throw new Error(`gator exit ${r.status}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 3000)}`);
      const results = JSON.parse(r.stdout) as {
        msg: string;
        metadata?: { details?: { allowed?: unknown } };
        constraint: { kind: string; metadata: { name: string }; spec: { parameters?: unknown } };
      }[];

      // Evaluation works: each of our policy constraints that the objects violate reports.
      const fired = new Set(results.filter((x) => x.constraint.metadata.name.startsWith('injection-')).map((x) => x.constraint.kind));
      for (const kind of [
        'D8AllowedRepos', 'D8DisallowedTags', 'D8RequiredLabels', 'D8RequiredAnnotations', 'D8PriorityClass', 'D8AllowedHostPaths',
        'D8AllowedFlexVolumes', 'D8AllowedSysctls', 'D8AppArmor', 'D8SeLinux', 'D8AllowedClusterRoles', 'D8StorageClass', 'D8IngressClass',
      ]) {
        expect([kind, fired.has(kind)]).toEqual([kind, true]);
      }
      // Nothing the payload "declares" became a rule: every message is a real check's message.
      for (const x of results) {
        expect(x.msg).not.toMatch(/^pwned/);
        expect(x.constraint.kind).toMatch(/^D8/);
        if (x.msg.includes(MARK)) expect(x.constraint.metadata.name).toMatch(/^injection-/);
      }
      // The payload comes back as data inside messages, escaped by the message format (%q).
      const repos = results.find((x) => x.constraint.kind === 'D8AllowedRepos')!;
      expect(repos.msg).toContain(`${MARK}repo\\"\\\\}{\\n\`import data.inventory\\nviolation contains {\\"msg\\": \\"pwned\\"}`);
      expect(repos.metadata?.details?.allowed).toEqual([nasty('repo')]);
      // Gatekeeper holds exactly the parameters we compiled: nothing lost or re-encoded on the way.
      for (const x of results.filter((y) => y.constraint.metadata.name.startsWith('injection-'))) {
        const ours = ownConstraints(desired).find((c) => c.kind === x.constraint.kind)!;
        expect(x.constraint.spec.parameters).toEqual((ours.spec as Obj).parameters);
      }
      const labels = results.find((x) => x.constraint.kind === 'D8RequiredLabels')!;
      expect(labels.msg).toContain(`${MARK}label-key`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
