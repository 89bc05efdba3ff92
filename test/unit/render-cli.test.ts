// `admission-policy-engine render`: reads multi-document YAML (policies, the ModuleConfig,
// Namespaces; other kinds ignored with a note), prints the complete desired object set sorted and
// stable, renders the PSS defaults without input, and fails with exit 1 and messages naming file,
// document and field path on invalid input (exit 2 on usage errors). Most cases call
// renderCommand in-process with captured io; a few spawn the built bin to prove it works.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { catalog } from '../../src/checks/index.js';
import { UsageError } from '../../src/util/args.js';
import { MAX_INPUT_BYTES } from '../../src/cli/inputs.js';
import { renderCommand } from '../../src/cli/render.js';
import type { GeneratedObject } from '../../src/compile/types.js';
import { byCodePoint } from '../../src/util/order.js';
import { packageRoot } from '../../src/util/package-root.js';
import { run, type RunResult } from '../helpers/run.js';
import { builtCli } from '../helpers/cli.js';

const root = packageRoot();
const bin = join(root, 'dist/src/cli/main.js');

function render(...argv: string[]): RunResult {
  let stdout = '';
  let stderr = '';
  const status = renderCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { status, stdout, stderr };
}

const docsOf = (yaml: string, version: '1.1' | '1.2' = '1.2') => parseAllDocuments(yaml, { version }).map((d) => d.toJS() as GeneratedObject);
const names = (objs: GeneratedObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);

// Inputs are written as YAML 1.1, which is how kubectl (and render) read them: a plain `y` or `n`
// would be a boolean there, so the writer quotes it.
const toYaml = (o: unknown) => stringify(o, { version: '1.1' });
const yamlDocs = (...objs: unknown[]) => objs.map(toYaml).join('---\n');
const sp = (name: string, policies: unknown, match: unknown = { namespaceSelector: { matchNames: ['web'] } }) => ({
  apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name }, spec: { match, policies },
});
const moduleConfig = (settings: unknown) => ({
  apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name: 'admission-policy-engine' }, spec: { version: 1, enabled: true, settings },
});

let work: string;
let inputDir: string;
let mainFile: string;
let nestedFile: string;

beforeAll(() => {
  // The bin runs from dist, rebuilt when older than a source file (one place: test/helpers/cli.ts).
  expect(builtCli()).toBe(bin);

  work = mkdtempSync(join(tmpdir(), 'ape-render-'));
  inputDir = join(work, 'in');
  mkdirSync(join(inputDir, 'nested'), { recursive: true });
  mainFile = join(inputDir, 'policies.yaml');
  nestedFile = join(inputDir, 'nested', 'more.yml');
  writeFileSync(
    mainFile,
    yamlDocs(
      sp('web-sec', { allowHostNetwork: false, allowedHostPaths: [] }, { namespaceSelector: { matchNames: ['web'] }, labelSelector: { matchLabels: { y: 'n' } } }),
      { apiVersion: 'deckhouse.io/v1alpha1', kind: 'OperationPolicy', metadata: { name: 'web-ops' }, spec: { match: { namespaceSelector: { matchNames: ['web'] } }, policies: { allowedRepos: ['registry.example.com/'] } } },
      moduleConfig({ podSecurityStandards: { defaultPolicy: 'Baseline', enforcementAction: 'Deny' } }),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { 'security.deckhouse.io/pod-policy': 'restricted', 'security.deckhouse.io/pod-policy-action': 'warn' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'web' }, data: { a: 'b' } },
    ),
  );
  writeFileSync(
    nestedFile,
    yamlDocs(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy', labels: { 'security.deckhouse.io/pod-policy': 'strict' } } },
      sp('other', { allowedAppArmor: ['runtime/default'] }, { namespaceSelector: { matchNames: ['legacy'] } }),
    ),
  );
  writeFileSync(join(inputDir, 'README.md'), '# not an input\n');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the built bin', () => {
  test('--help lists the commands; no command is a usage error', () => {
    const help = run('node', [bin, '--help'], { cwd: work });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^\s+render\s/m);
    expect(help.stdout).toMatch(/^\s+help\s/m);
    const renderHelp = run('node', [bin, 'render', '--help'], { cwd: work });
    expect(renderHelp.status).toBe(0);
    expect(renderHelp.stdout).toMatch(/-f, --filename/);
    expect(renderHelp.stdout).toMatch(/--settings/);
    expect(renderHelp.stdout).toMatch(/-o, --output yaml\|json/);
    // The input rules are stated where users look: YAML 1.1 and the size limit.
    expect(renderHelp.stdout).toMatch(/YAML 1\.1 \(010 is 8/);
    expect(renderHelp.stdout).toMatch(/at most 8 MiB/);
    for (const argv of [['help', 'render'], ['-h', 'render'], ['render', '-h']]) expect(run('node', [bin, ...argv], { cwd: work }).stdout).toBe(renderHelp.stdout);
    const none = run('node', [bin], { cwd: work });
    expect(none.status).toBe(2);
    expect(none.stdout).toMatch(/Usage: admission-policy-engine/);
  });

  test('usage errors from util.parseArgs keep their wording and exit 2: values, switches, flags before the command', () => {
    const cases: Array<[string[], string]> = [
      [['render', '-f'], 'error: flag -f needs a value\n'],
      [['render', '--filename'], 'error: flag --filename needs a value\n'],
      [['render', '--help=yes'], 'error: flag --help takes no value\n'],
      [['render', '-f', '-o', 'json'], 'error: flag -f needs a value (got the flag -o; write -f-o if that is the value)\n'],
      [['render', 'policies.yaml'], 'error: unexpected argument policies.yaml; pass files with -f\n'],
      [['--bogus', 'render'], 'error: unknown flag --bogus\n'],
      [['run', '--bogus'], 'error: unknown flag --bogus\n'],
      [['run', '--kubeconfig'], 'error: flag --kubeconfig needs a value\n'],
      [['run', 'extra'], 'error: unexpected argument extra; run takes flags only\n'],
    ];
    for (const [argv, stderr] of cases) {
      const r = run('node', [bin, ...argv], { cwd: work });
      expect({ argv, status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ argv, status: 2, stderr, stdout: '' });
    }
  });

  test('a reader that stops early (render | head) ends the CLI quietly with status 0', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'render'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read one chunk, then close our end of the pipe, as `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('unknown flags and commands exit 2', () => {
    const flag = run('node', [bin, 'render', '--bogus'], { cwd: work });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe('error: unknown flag --bogus\n');
    expect(flag.stdout).toBe('');
    const output = run('node', [bin, 'render', '-o', 'xml'], { cwd: work });
    expect(output.status).toBe(2);
    expect(output.stderr).toMatch(/--output must be yaml or json/);
    const command = run('node', [bin, 'frobnicate'], { cwd: work });
    expect(command.status).toBe(2);
    expect(command.stderr).toMatch(/unknown command "frobnicate"/);
  });

  test('render from another working directory prints what renderCommand prints', () => {
    const spawned = run('node', [bin, 'render', '-f', inputDir], { cwd: tmpdir() });
    const inProcess = render('-f', inputDir);
    expect(spawned.status).toBe(0);
    expect(spawned.stdout).toBe(inProcess.stdout);
    expect(spawned.stderr).toBe(inProcess.stderr);
  });
});

describe('render: SecurityPolicyExceptions are checked, not rendered', () => {
  const exception = (name: string, spec: unknown, namespace: string | null = 'team-a') => ({
    apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicyException', metadata: { name, ...(namespace ? { namespace } : {}) }, spec,
  });

  test('a valid exception: nothing extra is printed, the Config syncs exceptions, a note says what was checked', () => {
    const file = join(work, 'exceptions-ok.yaml');
    writeFileSync(file, yamlDocs(exception('cni-sidecar', { securityContext: { privileged: { allowedValue: true, metadata: { reason: 'CNI', ticket: 'SEC-42' } } } })));
    const r = render('-f', file);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`note: 1 SecurityPolicyException(s) checked against their CRD; they are not rendered: Gatekeeper reads them from the cluster (the Config's sync list)\n`);
    const objs = docsOf(r.stdout);
    expect(objs.some((o) => o.kind === 'SecurityPolicyException')).toBe(false);
    const config = objs.find((o) => o.kind === 'Config') as unknown as { spec: { sync: { syncOnly: { kind: string }[] } } };
    expect(config.spec.sync.syncOnly.map((e) => e.kind)).toContain('SecurityPolicyException');
  });

  test('an invalid exception fails with the file, its name and the field path; a name no label can carry is refused', () => {
    const file = join(work, 'exceptions-bad.yaml');
    writeFileSync(file, yamlDocs(
      exception('typo', { securityContext: { privileged: { allowedVal: true } } }),
      exception('x'.repeat(64), { network: { hostNetwork: { allowedValue: true } } }, null),
    ));
    const r = render('-f', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${file}: document 1: SecurityPolicyException "typo": spec.securityContext.privileged.allowedVal: unknown field; did you mean "allowedValue"?`);
    expect(r.stderr).toContain(`${file}: document 2: SecurityPolicyException "${'x'.repeat(64)}": metadata.name: `);
    expect(r.stderr).toContain('has no metadata.namespace');
  });

  test('a misspelled kind gets a did-you-mean', () => {
    const file = join(work, 'exceptions-kind.yaml');
    writeFileSync(file, yamlDocs({ ...exception('e', {}), kind: 'SecurityPolicyExceptions' }));
    expect(render('-f', file).stderr).toContain('did you mean SecurityPolicyException?');
  });
});

describe('render', () => {
  test('without -f: the PSS defaults (templates, Config, d8-pod-security-* constraints)', () => {
    const r = render();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const objs = docsOf(r.stdout);
    const templates = objs.filter((o) => o.kind === 'ConstraintTemplate');
    expect(templates.map((t) => t.metadata.name)).toEqual(catalog.map((c) => c.kind.toLowerCase()).sort());
    const config = objs.filter((o) => o.kind === 'Config');
    expect(config).toHaveLength(1);
    expect(config[0].metadata).toMatchObject({ name: 'config', namespace: 'd8-admission-policy-engine' });
    const constraintNames = new Set(objs.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1').map((o) => o.metadata.name));
    expect([...constraintNames].sort()).toEqual([
      'd8-pod-security-baseline-deny-default',
      'd8-pod-security-baseline-warn-system',
      'd8-pod-security-restricted-deny-default',
      'd8-pod-security-restricted-warn-system',
      'deny-exec-heritage-pods',
    ]);
    // Apply order: templates, then Config, then constraints.
    const firstConstraint = objs.findIndex((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1');
    expect(objs.slice(0, templates.length).every((o) => o.kind === 'ConstraintTemplate')).toBe(true);
    expect(objs[templates.length].kind).toBe('Config');
    expect(firstConstraint).toBe(templates.length + 1);
  });

  test('a directory: policies, ModuleConfig and Namespaces are used, other kinds noted on stderr', () => {
    const r = render('-f', inputDir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`note: ${mainFile}: document 5: ignoring ConfigMap "cm"\n`);
    expect(r.stderr).toContain('warning: Namespace "legacy": label security.deckhouse.io/pod-policy="strict" is not one of');
    expect(r.stderr).not.toContain('README');
    expect(r.stderr).not.toMatch(/^error/m);
    const objs = docsOf(r.stdout);
    const constraints = objs.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1');
    const byName = (n: string) => constraints.filter((c) => c.metadata.name === n).map((c) => c.kind).sort();
    expect(byName('web-sec')).toEqual(['D8AllowPrivilegeEscalation', 'D8AllowedHostPaths', 'D8HostNetwork', 'D8PrivilegedContainer']);
    expect(byName('web-ops')).toEqual(['D8AllowedRepos']);
    expect(byName('other')).toEqual(['D8AllowPrivilegeEscalation', 'D8AppArmor', 'D8PrivilegedContainer']);
    // The namespace asking for warn brings the non-default warn set into being.
    expect(byName('d8-pod-security-restricted-warn').length).toBeGreaterThan(0);
    expect(byName('d8-pod-security-baseline-deny-default').length).toBeGreaterThan(0);
  });

  test('output is sorted (templates, Config, constraints by kind and name), free of YAML aliases and 1.1-safe', () => {
    const r = render('-f', inputDir);
    const objs = docsOf(r.stdout);
    const group = (o: GeneratedObject) => (o.kind === 'ConstraintTemplate' ? 0 : o.kind === 'Config' ? 1 : 2);
    const sorted = [...objs].sort((a, b) => group(a) - group(b) || byCodePoint(a.kind, b.kind) || byCodePoint(a.metadata.name, b.metadata.name));
    expect(names(objs)).toEqual(names(sorted));
    expect(r.stdout).not.toMatch(/(^|\s)[&*]a\d+(\s|$)/m);
    // Kubernetes tools read YAML 1.1, where a plain `y` is a boolean: the output means the same either way.
    expect(docsOf(r.stdout, '1.1')).toEqual(objs);
    expect(r.stdout).toContain('"y": "n"');
  });

  test('-o json is a v1 List of the same objects', () => {
    const yaml = render('-f', inputDir);
    const json = render('-f', inputDir, '-o', 'json');
    expect(json.status).toBe(0);
    const list = JSON.parse(json.stdout) as { apiVersion: string; kind: string; items: GeneratedObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items).toEqual(docsOf(yaml.stdout));
    expect(render('--output=json', '--filename', inputDir).stdout).toBe(json.stdout);
  });

  test('identical across runs and across file order', () => {
    const a = render('-f', mainFile, '-f', nestedFile);
    const b = render('-f', nestedFile, '-f', mainFile);
    const c = render('-f', mainFile, '-f', nestedFile);
    expect(a.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).toBe(a.stdout);
    expect(render('-f', inputDir).stdout).toBe(a.stdout);
  });

  test('invalid YAML: exit 1 naming file and document, nothing on stdout', () => {
    const file = join(work, 'broken.yaml');
    writeFileSync(file, `${yamlDocs(sp('fine', {}))}---\nkind: SecurityPolicy\nmetadata: {name: [unclosed\n`);
    const r = render('-f', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: ${reEscape(file)}: document 2: invalid YAML: `, 'm'));
    const scalar = join(work, 'scalar.yaml');
    writeFileSync(scalar, 'just a string\n');
    const s = render('-f', scalar);
    expect(s.status).toBe(1);
    expect(s.stderr).toContain(`error: ${scalar}: document 1: not a Kubernetes object`);
  });

  test('an invalid policy: exit 1 with file, document, policy and field path', () => {
    const file = join(work, 'invalid-policy.yaml');
    writeFileSync(file, yamlDocs(sp('fine', {}), sp('x', { allowedHostPorts: [{ min: 1, max: 70000 }], allowedCapabilities: ['SYS_ADMN'] })));
    const r = render('-f', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${file}: document 2: SecurityPolicy "x": spec.policies.allowedHostPorts[0].max: must be at most 65535`);
    expect(r.stderr).toMatch(new RegExp(`error: ${reEscape(file)}: document 2: SecurityPolicy "x": spec\\.policies\\.allowedCapabilities\\[0\\]: must be one of .*did you mean SYS_ADMIN\\?`));
    expect(r.stderr).not.toContain('"fine"');
  });

  test('namespace names Gatekeeper would reject, names over 63 characters, duplicates: exit 1', () => {
    const file = join(work, 'semantic.yaml');
    const long = 'a'.repeat(64);
    writeFileSync(file, yamlDocs(sp('bad-ns', {}, { namespaceSelector: { matchNames: ['Web_App'] } }), sp(long, {}), sp('twice', {}), sp('twice', { allowHostNetwork: false })));
    const r = render('-f', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: ${file}: document 1: SecurityPolicy "bad-ns": spec.match.namespaceSelector.matchNames[0]: "Web_App" is not a namespace name or glob`);
    expect(r.stderr).toContain(`error: ${file}: document 2: SecurityPolicy "${long}": metadata.name: `);
    expect(r.stderr).toContain(`error: ${file}: document 4: SecurityPolicy "twice": metadata.name: SecurityPolicy/twice is defined twice (also in ${file}: document 3)`);
  });

  test('a JSON file holding a v1 List: its items are read like documents', () => {
    const file = join(work, 'list.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [sp('from-list', {}), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] }));
    const r = render('-f', file);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`note: ${file}: document 1: ignoring Secret "s"\n`);
    expect(docsOf(r.stdout).filter((o) => o.metadata.name === 'from-list').map((o) => o.kind).sort()).toEqual(['D8AllowPrivilegeEscalation', 'D8PrivilegedContainer']);
  });

  test('a missing file is an error', () => {
    const missing = join(work, 'nope.yaml');
    const r = render('-f', missing);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${missing}: no such file or directory\n`);
  });

  test('usage errors are thrown as UsageError (main turns them into exit 2)', () => {
    expect(() => render('--bogus')).toThrow(UsageError);
    expect(() => render('-f')).toThrow(/needs a value/);
    expect(() => render('policies.yaml')).toThrow(/pass files with -f/);
    expect(() => render('--settings', 'a', '--settings', 'b')).toThrow(/once/);
    expect(() => render('-o', 'json', '-o', 'xml')).toThrow(/--output must be yaml or json, not xml/);
  });

  test('flags: -f repeats in every spelling (-f x, -fx, --filename x, --filename=x); the last -o counts', () => {
    const all = render('-f', mainFile, '-f', nestedFile);
    expect(all.status).toBe(0);
    expect(render(`-f${mainFile}`, `--filename=${nestedFile}`).stdout).toBe(all.stdout);
    expect(render('--filename', mainFile, '-f', nestedFile, '-o', 'json', '--output=yaml').stdout).toBe(all.stdout);
  });

  describe('--settings', () => {
    const warnNames = ['d8-pod-security-baseline-warn-default', 'd8-pod-security-restricted-warn-default'];
    const constraintNames = (yaml: string) => new Set(docsOf(yaml).filter((o) => o.apiVersion.startsWith('constraints.')).map((o) => o.metadata.name));

    test.each([
      ['a ModuleConfig', moduleConfig({ podSecurityStandards: { enforcementAction: 'Warn' } })],
      ['a bare settings mapping', { podSecurityStandards: { enforcementAction: 'Warn' } }],
    ])('%s changes the PSS constraint names', (label, doc) => {
      const file = join(work, `settings-${label.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, toYaml(doc));
      const r = render('--settings', file);
      expect(r.status).toBe(0);
      const got = constraintNames(r.stdout);
      for (const n of warnNames) expect(got.has(n)).toBe(true);
      expect(got.has('d8-pod-security-baseline-deny-default')).toBe(false);
    });

    test('the gatekeeper namespace setting moves the Config', () => {
      const file = join(work, 'gk.yaml');
      writeFileSync(file, toYaml({ gatekeeper: { namespace: 'gatekeeper-system' } }));
      const config = docsOf(render('--settings', file).stdout).find((o) => o.kind === 'Config')!;
      expect(config.metadata.namespace).toBe('gatekeeper-system');
    });

    test('invalid settings: exit 1 with the settings field path', () => {
      const mc = join(work, 'bad-mc.yaml');
      writeFileSync(mc, toYaml(moduleConfig({ podSecurityStandards: { enforcementAction: 'Block' } })));
      const r = render('--settings', mc);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `error: ${mc}: document 1: ModuleConfig admission-policy-engine: spec.settings.podSecurityStandards.enforcementAction: must be one of Deny, Warn, Dryrun (got string "Block")\n`,
      );
      const bare = join(work, 'bad-bare.yaml');
      writeFileSync(bare, toYaml({ podSecurityStandards: { policies: { hostPorts: { knownRanges: [{ min: 90, max: 80 }] } } } }));
      const b = render('--settings', bare);
      expect(b.status).toBe(1);
      expect(b.stderr).toMatch(new RegExp(`^error: ${reEscape(bare)}: document 1: settings\\.podSecurityStandards\\.policies\\.hostPorts\\.knownRanges\\[0\\]: min \\(90\\) is greater than max`));
      expect(b.stderr).not.toContain('settings.settings');
    });

    test('a ModuleConfig among the -f inputs configures the render too; --settings is applied last', () => {
      const inline = join(work, 'inline-mc.yaml');
      writeFileSync(inline, toYaml(moduleConfig({ podSecurityStandards: { enforcementAction: 'Dryrun' } })));
      const names1 = constraintNames(render('-f', inline).stdout);
      expect(names1.has('d8-pod-security-baseline-dryrun-default')).toBe(true);
      const override = join(work, 'override.yaml');
      writeFileSync(override, toYaml({ podSecurityStandards: { enforcementAction: 'Warn' } }));
      const names2 = constraintNames(render('-f', inline, '--settings', override).stdout);
      expect(names2.has('d8-pod-security-baseline-warn-default')).toBe(true);
      expect(names2.has('d8-pod-security-baseline-dryrun-default')).toBe(false);
    });
  });
});

describe('render reads input as kubectl does', () => {
  const write = (name: string, content: string | Buffer) => {
    const file = join(work, name);
    writeFileSync(file, content);
    return file;
  };
  const constraint = (yaml: string, kind: string, name: string) => docsOf(yaml).find((o) => o.kind === kind && o.metadata.name === name);

  test('YAML 1.1: octal and hex numbers, merge keys', () => {
    const file = write('yaml11.yaml', [
      'apiVersion: deckhouse.io/v1alpha1',
      'kind: OperationPolicy',
      'metadata: {name: replicas}',
      'spec:',
      '  match: {namespaceSelector: {matchNames: [web]}}',
      '  policies:',
      '    replicaLimits:',
      '      <<: {minReplicas: 010, maxReplicas: 0x10}',
      '      maxReplicas: 0x1F',
      '',
    ].join('\n'));
    const r = render('-f', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(constraint(r.stdout, 'D8ReplicaLimits', 'replicas')?.spec).toMatchObject({ parameters: { ranges: [{ minReplicas: 8, maxReplicas: 31 }] } });
  });

  test('YAML 1.1: unquoted y/n/yes/on are booleans, as kubectl would send them, and refused where strings belong', () => {
    const policy = write('booleans.yaml', [
      'apiVersion: deckhouse.io/v1alpha1',
      'kind: SecurityPolicy',
      'metadata: {name: selector}',
      'spec:',
      '  match:',
      '    namespaceSelector: {matchNames: [web]}',
      '    labelSelector: {matchLabels: {y: n}}',
      '  policies: {allowHostNetwork: false}',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: web, labels: {team: yes}}',
      '',
    ].join('\n'));
    const r = render('-f', policy);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${policy}: document 1: SecurityPolicy "selector": spec.match.labelSelector.matchLabels.true: `);
    expect(r.stderr).toContain(`error: ${policy}: document 2: Namespace "web": metadata.labels["team"]: must be a string (got boolean true); quote it\n`);
  });

  test('not a regular file: a FIFO, a device, a FIFO named .yaml in a directory (no hang, no endless read)', () => {
    const dir = join(work, 'special');
    mkdirSync(dir);
    const fifo = join(dir, 'pipe.yaml');
    expect(run('mkfifo', [fifo]).status).toBe(0);
    // A child process with a timeout: a regression would block (FIFO) or grow (/dev/zero) forever.
    const bounded = (...argv: string[]) => {
      const r = spawnSync(process.execPath, [bin, 'render', ...argv], { encoding: 'utf8', timeout: 20_000 });
      expect(r.signal).toBeNull();
      return r;
    };
    const direct = bounded('-f', fifo);
    expect(direct.status).toBe(1);
    expect(direct.stderr).toBe(`error: ${fifo}: a named pipe, not a regular file\n`);
    expect(bounded('-f', dir).stderr).toBe(direct.stderr);
    const zero = bounded('-f', '/dev/zero');
    expect(zero.status).toBe(1);
    expect(zero.stderr).toBe('error: /dev/zero: a character device, not a regular file\n');
  });

  test(`files over the limit (${MAX_INPUT_BYTES} bytes) are refused naming the file; at the limit they are read`, () => {
    const comment = (n: number) => `# ${'x'.repeat(n - 3)}\n`;
    const atLimit = write('at-limit.yaml', comment(MAX_INPUT_BYTES));
    const over = write('over-limit.yaml', comment(MAX_INPUT_BYTES + 1));
    const r = render('-f', atLimit, '-f', over);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: ${over}: larger than 8 MiB, the limit for one input file\n`);
  });

  test('an alias bomb is an error naming its file and document; the other files are still checked', () => {
    const dir = join(work, 'bomb');
    mkdirSync(dir);
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array.from({ length: 9 }, () => `*l${i}`).join(', ')}]`);
    const bomb = join(dir, 'a-bomb.yaml');
    writeFileSync(bomb, `${yamlDocs(sp('fine', {}))}---\nl0: &l0 lol\n${levels.join('\n')}\n`);
    const broken = join(dir, 'b-broken.yaml');
    writeFileSync(broken, yamlDocs(sp('x', { allowedHostPorts: [{ min: 1, max: 70000 }] })));
    const started = Date.now();
    const r = render('-f', dir);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ${reEscape(bomb)}: document 2: invalid YAML: document contains excessive aliasing`, 'm'));
    expect(r.stderr).toContain(`error: ${broken}: document 1: SecurityPolicy "x": spec.policies.allowedHostPorts[0].max: must be at most 65535`);
  });

  test('invalid UTF-8 is an error naming the file; UTF-16 with a byte order mark reads like UTF-8', () => {
    const utf8 = write('utf8.yaml', yamlDocs(sp('encoded', { allowHostNetwork: false })));
    const le = write('utf16.yaml', Buffer.from(`\ufeff${yamlDocs(sp('encoded', { allowHostNetwork: false }))}`, 'utf16le'));
    const bad = write('latin1.yaml', Buffer.concat([Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata: {name: caf'), Buffer.from([0xe9]), Buffer.from('}\n')]));
    const r8 = render('-f', utf8);
    expect(r8.status).toBe(0);
    expect(render('-f', le).stdout).toBe(r8.stdout);
    const r = render('-f', bad, '-f', utf8);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: ${bad}: not valid UTF-8 (first bad byte 0xe9 at byte offset 51, line 3)\n`);
  });

  test('links: a dangling one names the link, a loop back up is skipped, linked files and directories are read', () => {
    const dir = join(work, 'links');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'ns.yaml'), yamlDocs({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linked' } }));
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'dangling.yaml'));
    symlinkSync(join(dir, 'missing-dir'), join(dir, 'dangling-dir'));
    symlinkSync(dir, join(dir, 'sub', 'loop'));
    const r = render('-f', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `note: ${join(dir, 'dangling-dir')}: skipping: dangling symbolic link (its target ${join(dir, 'missing-dir')} does not exist)\n` +
        `note: ${join(dir, 'sub', 'loop')}: skipping: a link back to a directory that contains it\n` +
        `error: ${join(dir, 'dangling.yaml')}: dangling symbolic link (its target ${join(dir, 'missing.yaml')} does not exist)\n`,
    );
    const top = render('-f', join(dir, 'dangling.yaml'));
    expect(top.stderr).toBe(`error: ${join(dir, 'dangling.yaml')}: dangling symbolic link (its target ${join(dir, 'missing.yaml')} does not exist)\n`);
  });

  test('misspelled kinds get a suggestion; other kinds are ignored as before', () => {
    const file = write('typos.yaml', yamlDocs(
      ...['OperationPolicie', 'operationpolicy', 'Securitypolicy', 'ModuleConfg', 'namespace', 'PodSecurityPolicy'].map((kind) => ({ apiVersion: 'v1', kind, metadata: { name: 'n' } })),
    ));
    const r = render('-f', file);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      [
        `note: ${file}: document 1: ignoring OperationPolicie "n": did you mean OperationPolicy?`,
        `note: ${file}: document 2: ignoring operationpolicy "n": did you mean OperationPolicy?`,
        `note: ${file}: document 3: ignoring Securitypolicy "n": did you mean SecurityPolicy?`,
        `note: ${file}: document 4: ignoring ModuleConfg "n": did you mean ModuleConfig?`,
        `note: ${file}: document 5: ignoring namespace "n": did you mean Namespace?`,
        `note: ${file}: document 6: ignoring PodSecurityPolicy "n"`,
        '',
      ].join('\n'),
    );
  });

  test('input text on stderr is escaped: no forged lines, no terminal control sequences', () => {
    const dir = join(work, 'hostile');
    mkdirSync(dir);
    const evilFile = join(dir, 'evil\n::error file=x::forged.yaml');
    // YAML escapes: the raw characters would make the whole file invalid YAML (go-yaml refuses them).
    writeFileSync(evilFile, [
      'apiVersion: deckhouse.io/v1alpha1',
      'kind: SecurityPolicy',
      'metadata: {name: "bad\\n::error::forged\\e[2J"}',
      'spec: {match: {namespaceSelector: {matchNames: [web]}}, policies: {allowHostNetwork: false}}',
      '---',
      'apiVersion: v1',
      'kind: "Evil\\e]0;title\\aKind\\u202e"',
      'metadata: {name: "n\\r\\n::warning::x"}',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: web, labels: {security.deckhouse.io/pod-policy: "strict\\n::error::label\\x9b31m"}}',
      '',
    ].join('\n'));
    const r = render('-f', dir);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatch(/^(note|warning|error): /);
      expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    }
    const shownFile = `${dir}/evil\\n::error file=x::forged.yaml`;
    expect(r.stderr).toContain(`error: ${shownFile}: document 1: SecurityPolicy "bad\\n::error::forged\\u001b[2J": metadata.name: `);
    expect(r.stderr).toContain(`note: ${shownFile}: document 2: ignoring Evil\\u001b]0;title\\u0007Kind\\u202e "n\\r\\n::warning::x"\n`);
    expect(r.stderr).toContain('strict\\n::error::label\\u009b31m');
  });
});

/** A string as a literal inside a RegExp. */
function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
