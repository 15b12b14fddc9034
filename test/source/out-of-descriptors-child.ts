/**
 * Child process of git-source-descriptors.test.ts, started with a low `ulimit -n`: fetches a git
 * source once, then opens descriptors until the process has none left and fetches and polls
 * again, then frees them and fetches a third time. Prints one JSON line with what each step gave.
 * A failure to start git must come back as a GitSourceError; an unhandled error event ends this
 * process instead, and the test sees the exit.
 *
 * Usage: node --import tsx out-of-descriptors-child.ts REMOTE CACHE_DIR
 */
import { closeSync, openSync } from 'node:fs';
import { GitSource, GitSourceError } from '../../controller/source/git-source.js';

const [remote, cacheDir] = process.argv.slice(2) as [string, string];
const source = new GitSource({ url: remote, branch: 'main', cacheDir, pollIntervalMs: 60_000 });

function outcome(error: unknown): { error: string; reason?: string; message: string } {
  if (error instanceof GitSourceError) return { error: 'GitSourceError', reason: error.reason, message: error.message };
  return {
    error: error instanceof Error ? error.name : 'unknown',
    message: error instanceof Error ? error.message : String(error),
  };
}

const first = (await source.fetch()).revision;
const held: number[] = [];
try {
  for (;;) held.push(openSync('/dev/null', 'r'));
} catch {
  // Out of descriptors: the point.
}
const exhausted = await source.fetch().then((fetched) => ({ revision: fetched.revision }), outcome);
const polled = await new Promise<{ error: string; message: string } | { changed: true }>((resolve) => {
  const stop = source.watch(
    () => resolve({ changed: true }),
    (error) => resolve(outcome(error)),
  );
  void source.trigger().then(() => setTimeout(() => void stop(), 10));
});
for (const fd of held) closeSync(fd);
const recovered = (await source.fetch()).revision;
process.stdout.write(`${JSON.stringify({ first, held: held.length, exhausted, polled, recovered })}\n`);
