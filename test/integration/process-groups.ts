/**
 * What is left of a process group, read from Linux's /proc: for tests that a command job's
 * programs, grandchildren included, are really gone. Zombies (ended, not yet reaped by whoever
 * adopted them) do not count: they run nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Process ids of the running (not zombie) members of process group `pgid`. */
export function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z' && state !== 'X') members.push(Number(name));
  }
  return members;
}

/** Polls until the group has no running member or `timeoutMs` passes; returns what is left. */
export async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = liveMembers(pgid);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
