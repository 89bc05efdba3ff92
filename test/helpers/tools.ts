// Locates the real test tools built by test/tools/build.sh. A missing tool is an install bug:
// fail loudly with the command that builds it, never skip.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

// yaml2json: kubectl's manifest reader (apimachinery + sigs.k8s.io/yaml), built in the gatekeeper
// tools module, hence keyed by the Gatekeeper version.
// kubectl: built in the kube-apiserver tools module, keyed by the Kubernetes version. argo-health:
// Argo CD's Lua VM (gopher-lua) running a health check, keyed by the gopher-lua version.
export type Tool = 'opa' | 'gator' | 'gatekeeper' | 'yaml2json' | 'etcd' | 'kube-apiserver' | 'kubectl' | 'argo-health' | 'cosign' | 'crane';

function versions(): Record<string, string> {
  const text = readFileSync(join(packageRoot(), 'test/tools/versions.sh'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z0-9_]+)=([^\s$]+)$/gm)) out[m[1]] = m[2]!;
  return out;
}

export function toolsDir(): string {
  return process.env.TOOLS ?? join(homedir(), '.cache/ape-tools');
}

export function toolVersion(tool: Tool): string {
  const v = versions();
  const key: Record<Tool, string> = {
    opa: 'OPA_VERSION',
    gator: 'GATEKEEPER_VERSION',
    gatekeeper: 'GATEKEEPER_VERSION',
    yaml2json: 'GATEKEEPER_VERSION',
    etcd: 'ETCD_VERSION',
    'kube-apiserver': 'K8S_VERSION',
    kubectl: 'K8S_VERSION',
    'argo-health': 'GOPHER_LUA_VERSION',
    cosign: 'COSIGN_VERSION',
    crane: 'CRANE_VERSION',
  };
  const version = v[key[tool]];
  if (!version) throw new Error(`test/tools/versions.sh has no ${key[tool]}`);
  return version;
}

export function toolPath(tool: Tool): string {
  const path = join(toolsDir(), 'bin', `${tool}-v${toolVersion(tool)}`);
  if (!existsSync(path)) {
    throw new Error(`${tool} v${toolVersion(tool)} is not installed at ${path}; build it with: bash test/tools/build.sh ${tool}`);
  }
  return path;
}

/** Gatekeeper's module source (CRDs live in it), resolved in the tools module that built it. */
export function gatekeeperModuleDir(): string {
  const dir = join(toolsDir(), 'src', `gatekeeper-v${toolVersion('gatekeeper')}`);
  return execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/open-policy-agent/gatekeeper/v3'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  }).trim();
}
