// `admission-policy-engine report -f`: the built CLI reads constraints as `kubectl get -o yaml`
// prints them and sums Gatekeeper's audit results per source policy. (Against a cluster it is
// exercised end to end in test/e2e/violations.test.ts.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CHECK_LABEL, MANAGED_BY, MANAGED_BY_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../../src/compile/labels.js';
import { builtCli } from '../helpers/cli.js';

const constraint = (kind: string, name: string, sourceKind: string, sourceName: string | undefined, action: string, status?: object) => ({
  apiVersion: 'constraints.gatekeeper.sh/v1beta1',
  kind,
  metadata: {
    name,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [SOURCE_KIND_LABEL]: sourceKind, ...(sourceName ? { [SOURCE_NAME_LABEL]: sourceName } : {}), [CHECK_LABEL]: kind },
  },
  spec: { enforcementAction: action },
  ...(status ? { status } : {}),
});
const violation = (namespace: string, name: string, message: string) => ({ enforcementAction: 'dryrun', group: '', version: 'v1', kind: 'Pod', namespace, name, message });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ape-report-'));
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      constraint('D8PrivilegedContainer', 'mypolicy', 'SecurityPolicy', 'mypolicy', 'dryrun', {
        auditTimestamp: '2026-12-03T10:00:05Z', totalViolations: 30, violations: [violation('team-a', 'web-1', 'Privileged container is not allowed: app'), violation('team-a', 'evil\u001b[2J', 'x')],
      }),
      constraint('D8HostNetwork', 'mypolicy', 'SecurityPolicy', 'mypolicy', 'deny', { auditTimestamp: '2026-12-03T10:00:01Z', totalViolations: 1, violations: [violation('team-b', 'net', 'hostNetwork is not allowed')] }),
      constraint('D8AllowedRepos', 'mypolicy', 'OperationPolicy', 'mypolicy', 'warn'),
      // Not ours: never counted.
      { ...constraint('D8HostNetwork', 'foreign', 'SecurityPolicy', 'foreign', 'deny', { totalViolations: 99 }), metadata: { name: 'foreign', labels: {} } },
    ],
  };
  writeFileSync(join(dir, 'constraints.yaml'), stringify(list));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (...args: string[]) => spawnSync(process.execPath, [builtCli(), 'report', ...args], { encoding: 'utf8' });

test('sums per source policy: totals by action, the oldest audit time, policies never audited show 0', () => {
  const r = report('-f', join(dir, 'constraints.yaml'), '-o', 'json');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const { sources } = JSON.parse(r.stdout) as { sources: { source: string; total: number; byAction: object; auditTimestamp?: string; sample: { name: string }[] }[] };
  expect(sources.map((s) => [s.source, s.total, s.byAction, s.auditTimestamp])).toEqual([
    ['OperationPolicy/mypolicy', 0, {}, undefined],
    ['SecurityPolicy/mypolicy', 31, { dryrun: 30, deny: 1 }, '2026-12-03T10:00:01Z'],
  ]);
  expect(sources[1].sample.map((v) => v.name)).toEqual(['evil\u001b[2J', 'web-1', 'net']);
});

test('the table escapes what the cluster wrote and lists each violation Gatekeeper kept', () => {
  const r = report('-f', dir);
  expect(r.status).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0].split(/\s+/)).toEqual(['SOURCE', 'TOTAL', 'DENY', 'WARN', 'DRYRUN', 'AUDITED']);
  expect(lines[1].split(/\s+/)).toEqual(['OperationPolicy/mypolicy', '0', '0', '0', '0', 'not', 'audited', 'yet']);
  expect(lines[2].split(/\s+/)).toEqual(['SecurityPolicy/mypolicy', '31', '1', '0', '30', '2026-12-03T10:00:01Z']);
  expect(r.stdout).toContain('Pod/evil\\u001b[2J');
  expect(r.stdout).not.toContain('\u001b');
  expect(r.stdout).toMatch(/SecurityPolicy\/mypolicy\s+team-a\s+Pod\/web-1\s+D8PrivilegedContainer\/mypolicy\s+Privileged container is not allowed: app/);
});

test('bad flags are usage errors', () => {
  const r = report('-o', 'xml', '-f', dir);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('-o must be table or json');
  const both = report('-f', dir, '--kubeconfig', '/nonexistent');
  expect(both.status).toBe(2);
});
