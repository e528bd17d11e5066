import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/** CPU time of another process, ms: utime + stime from /proc/<pid>/stat (fields 14 and 15). */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond();
}

let clkTck: number | undefined;
function clockTicksPerSecond(): number {
  clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clkTck;
}

/** This process's CPU time (user + system), ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

type Gc = () => void;
let gcFn: Gc | undefined;
/**
 * A full collection before reading memory: `global.gc` under `--expose-gc`
 * (`NODE_OPTIONS=--expose-gc npm run bench actors`), else enabled at runtime through V8 flags.
 */
export function collectGarbage(): 'expose-gc' | 'v8-flag' {
  const g = (globalThis as { gc?: Gc }).gc;
  if (g) {
    g();
    return 'expose-gc';
  }
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as Gc;
  }
  gcFn();
  return 'v8-flag';
}

export interface MachineInfo {
  nproc: number;
  node: string;
  cpu: string;
}

export function machineInfo(): MachineInfo {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return { nproc: availableParallelism(), node: process.version, cpu };
}

/** CPU time of a process and its direct children (a PostgreSQL postmaster and its backends), ms. */
export function procTreeCpuMs(rootPid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      if (pid === rootPid || Number(fields[1]) === rootPid) total += procCpuMs(pid);
    } catch {
      // exited while we looked
    }
  }
  return total;
}
