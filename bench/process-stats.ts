/** What the benches read about their child processes from /proc (Linux): memory, CPU time, the dev server's pid. */
import { readFileSync, readdirSync } from 'node:fs';

/** VmRSS and VmHWM (peak) of a process, in KiB. */
export function memoryOf(pid: number): { rssKiB: number; peakKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
    peakKiB: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
  };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command's closing parenthesis, from field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of this process's `temporal server start-dev` child listening on `port`. */
export function devServerPid(port: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('start-dev') && args[args.indexOf('--port') + 1] === port) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no temporal dev server child on port ${port}`);
}
