// Child processes of the test bed: spawned in their own process group with logs in files, always
// stopped (also when a test fails or the worker exits), with a log tail for failure reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
  tail(lines?: number): string;
}

export function startProcess(name: string, cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): Managed {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      live.delete(child);
      resolve(-1);
    });
  });
  const tail = (lines = 40): string => {
    if (!existsSync(logFile)) return '';
    return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
  };
  return {
    name,
    child,
    logFile,
    exited,
    tail,
    async stop(timeoutMs = 10000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      const port = addr.port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns true; on timeout throws with the named processes' log tails. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, procs: Managed[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    for (const p of procs) {
      if (p.child.exitCode !== null) {
        throw new Error(`${p.name} exited with ${p.child.exitCode} while waiting for ${what}:\n${p.tail()}`);
      }
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const tails = procs.map((p) => `--- ${p.name} (${p.logFile}) ---\n${p.tail()}`).join('\n');
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last error: ${String(lastError)}\n${tails}`);
}
