// A short text summary of a V8 CPU profile (`node --cpu-prof`): where the operator's CPU time went,
// by function (self time) and by origin (our code, each dependency, Node internals, GC). The full
// profile stays on disk for Chrome DevTools / speedscope.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function origin(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const ours = /\/dist\/(src\/[^/]+)\//.exec(url);
  return ours ? ours[1] : url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(dist\/|node_modules\/)/, '$1').replace(/^node:/, 'node:');
}

export function summarizeProfile(path: string, top = 12): string[] {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = (p.endTime - p.startTime) / 1000;
  const fnTime = new Map<string, number>();
  const originTime = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const fn = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + us);
    const o = origin(url, functionName);
    originTime.set(o, (originTime.get(o) ?? 0) + us);
  }
  const busy = [...originTime.values()].reduce((a, b) => a + b, 0) / 1000;
  const pct = (us: number) => `${((us / 1000 / Math.max(busy, 1)) * 100).toFixed(1).padStart(5)}%`;
  const out = [`profile ${path}: ${(total / 1000).toFixed(1)} s wall, ${(busy / 1000).toFixed(1)} s on CPU (${(idle / 1e6).toFixed(1)} s idle)`];
  out.push('  CPU by origin (self time):');
  for (const [o, us] of [...originTime].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`    ${pct(us)}  ${(us / 1e6).toFixed(2).padStart(7)} s  ${o}`);
  out.push(`  top ${top} functions (self time):`);
  for (const [f, us] of [...fnTime].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`    ${pct(us)}  ${(us / 1e6).toFixed(2).padStart(7)} s  ${f}`);
  return out;
}
