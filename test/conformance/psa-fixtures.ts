// The upstream Pod Security Admission fixtures (test/conformance/psa, their only copy in the repo)
// and which of our checks answers for each. Shared by the conformance test, which replays them
// against the rendered PSS sets, and the gator suites, which generate each check's PSS cases from
// them: one loader and one mapping, so the two can never disagree about what a fixture exercises.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';

export const PSA_VERSION = 'v1.37';
export const PSA_DIR = join(packageRoot(), 'test/conformance/psa');

export type PsaLevel = 'baseline' | 'restricted';
export type Verdict = 'pass' | 'fail';

export interface Pod {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface Fixture {
  /** The fixture folder: `restricted/` also holds fixtures of baseline controls. */
  level: PsaLevel;
  verdict: Verdict;
  /** File name without `.yaml`: the PSA check id plus an index (`hostports0`, `base_linux`). */
  stem: string;
  /** The PSA check id (`hostports`), `base` for the compliant base pods. */
  control: string;
  /** Absolute path of the fixture file. */
  path: string;
  pod: Pod;
}

/** Which of our checks may reject a fixture, by the PSA check id in its file name. */
export const expectedChecks: Readonly<Record<string, readonly string[]>> = {
  allowprivilegeescalation: ['D8AllowPrivilegeEscalation'],
  apparmorprofile: ['D8AppArmor'],
  capabilities_baseline: ['D8AllowedCapabilities'],
  capabilities_restricted: ['D8AllowedCapabilities'],
  hostnamespaces: ['D8HostNetwork', 'D8HostProcesses'],
  hostpathvolumes: ['D8AllowedHostPaths', 'D8AllowedVolumeTypes'],
  hostports: ['D8HostNetwork'],
  hostprobesandhostlifecycle: ['D8HostProbesLifecycle'],
  privileged: ['D8PrivilegedContainer'],
  procmount: ['D8AllowedProcMount'],
  procmount_restricted: ['D8AllowedProcMount'],
  restrictedvolumes: ['D8AllowedVolumeTypes'],
  runasnonroot: ['D8AllowedUsers'],
  runasuser: ['D8AllowedUsers'],
  seccompprofile_baseline: ['D8AllowedSeccompProfiles'],
  seccompprofile_restricted: ['D8AllowedSeccompProfiles'],
  selinuxoptions: ['D8SeLinux'],
  sysctls: ['D8AllowedSysctls'],
  windowshostprocess: ['D8WindowsHostProcess'],
};

/**
 * Fixtures whose rejecting checks differ from their control's entry above, by `<level>/<stem>`.
 * Each entry is what the fixture file itself sets; read it to check.
 */
const fixtureOverrides: Readonly<Record<string, readonly string[]>> = {
  // Host namespaces is one PSA control over three fields, which we split over two checks:
  // hostIPC (index 0) and hostPID (2) are D8HostProcesses, hostNetwork (1) is D8HostNetwork.
  'baseline/hostnamespaces0': ['D8HostProcesses'],
  'baseline/hostnamespaces1': ['D8HostNetwork'],
  'baseline/hostnamespaces2': ['D8HostProcesses'],
  'restricted/hostnamespaces0': ['D8HostProcesses'],
  'restricted/hostnamespaces1': ['D8HostNetwork'],
  'restricted/hostnamespaces2': ['D8HostProcesses'],
  // The API server refuses privileged: true with allowPrivilegeEscalation: false, so the restricted
  // privileged fixtures leave allowPrivilegeEscalation unset on the privileged container: the
  // restricted allowPrivilegeEscalation control rejects them as well.
  'restricted/privileged0': ['D8PrivilegedContainer', 'D8AllowPrivilegeEscalation'],
  'restricted/privileged1': ['D8PrivilegedContainer', 'D8AllowPrivilegeEscalation'],
};

/** The PSA check id of a fixture file stem: the index stripped, every `base*` pod is `base`. */
export function controlOf(stem: string): string {
  return stem.replace(/\d+$/, '').replace(/^base.*/, 'base');
}

/**
 * The checks that must reject a `fail` fixture: each of them does, at the level whose constraints
 * enforce the fixture's control. Empty for a control we do not map (a conformance gap).
 */
export function checksFor(fixture: Pick<Fixture, 'level' | 'stem'>): readonly string[] {
  return fixtureOverrides[`${fixture.level}/${fixture.stem}`] ?? expectedChecks[controlOf(fixture.stem)] ?? [];
}

const cache = new Map<PsaLevel, Fixture[]>();

/** Every fixture of a level folder: `pass` then `fail`, each sorted by file name. */
export function loadFixtures(level: PsaLevel): Fixture[] {
  const hit = cache.get(level);
  if (hit) return hit;
  const out: Fixture[] = [];
  for (const verdict of ['pass', 'fail'] as const) {
    const dir = join(PSA_DIR, level, PSA_VERSION, verdict);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      const stem = file.replace(/\.yaml$/, '');
      const path = join(dir, file);
      out.push({ level, verdict, stem, control: controlOf(stem), path, pod: parse(readFileSync(path, 'utf8')) as Pod });
    }
  }
  cache.set(level, out);
  return out;
}

/** PSA controls of the baseline standard: those the baseline folder has fixtures for. */
export function baselineControls(): ReadonlySet<string> {
  return new Set(loadFixtures('baseline').map((f) => f.control).filter((c) => c !== 'base'));
}
