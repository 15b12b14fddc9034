/**
 * The `jobnet` entry point runs the compiled build when it is the sources as they are, and the
 * sources through tsx otherwise: in a copy of the package (so the checkout's own dist/ is never
 * touched while other tests run the bin), `npm run build`'s script compiles dist/, the bin then
 * loads dist/ and no TypeScript; a changed source makes it fall back to the sources; and a worker
 * running from dist/ bundles the workflows from dist/.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from './cli-process.js';

const exec = promisify(execFile);
let copy: string;

/** Runs `node ARGS` in the copy with a loader hook that lists every module loaded; returns the list and the output. */
async function runLogged(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ loaded: string[]; stdout: string }> {
  const log = path.join(copy, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const { stdout } = await exec(process.execPath, ['--import', path.join(copy, 'log-loads.mjs'), ...args], {
    cwd: copy,
    env: { ...process.env, NO_COLOR: '1', LOAD_LOG: log, ...env },
  });
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  return { loaded, stdout };
}

beforeAll(async () => {
  copy = mkdtempSync(path.join(tmpdir(), 'jobnet-compiled-entry-'));
  for (const entry of [
    'bin',
    'scripts',
    'controller',
    'workflows',
    'schemas',
    'examples',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
  ]) {
    cpSync(path.join(projectRoot, entry), path.join(copy, entry), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(copy, 'node_modules'));
  writeFileSync(
    path.join(copy, 'log-loads.mjs'),
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(\`import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { if (url.startsWith('file:') && !url.includes('/node_modules/')) appendFileSync(process.env.LOAD_LOG, url + '\\\\n'); return next(url, context); }\`));\n`,
  );
  await exec(process.execPath, [path.join(copy, 'scripts', 'build-dist.js')], { cwd: copy });
}, 120_000);

afterAll(() => {
  if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
});

describe('bin/jobnet.js', () => {
  it('runs the compiled dist/ when it is the build of the sources as they are, loading no TypeScript', async () => {
    expect(existsSync(path.join(copy, 'dist', 'build-info.json'))).toBe(true);
    const { loaded, stdout } = await runLogged(['bin/jobnet.js', 'validate', 'examples']);
    expect(stdout).toMatch(/no problems/);
    expect(loaded).toContain(`file://${path.join(copy, 'dist', 'controller', 'cli', 'main.js')}`);
    expect(loaded.filter((url) => url.endsWith('.ts'))).toEqual([]);
  });

  it('falls back to the sources through tsx once a source changed, and with JOBNET_FROM_SOURCE=1', async () => {
    const forced = await runLogged(['bin/jobnet.js', '--help'], { JOBNET_FROM_SOURCE: '1' });
    expect(forced.loaded).toContain(`file://${path.join(copy, 'controller', 'cli', 'main.ts')}`);

    const source = path.join(copy, 'controller', 'cli', 'cli-errors.ts');
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);
    const { loaded, stdout } = await runLogged(['bin/jobnet.js', '--help']);
    expect(stdout).toContain('Usage: jobnet');
    expect(loaded).toContain(`file://${path.join(copy, 'controller', 'cli', 'main.ts')}`);
    expect(loaded.filter((url) => url.includes('/dist/'))).toEqual([]);

    // The build's --if-stale mode (npm's prepare) rebuilds it, and the bin is back on dist/.
    await exec(process.execPath, [path.join(copy, 'scripts', 'build-dist.js'), '--if-stale'], { cwd: copy });
    expect((await runLogged(['bin/jobnet.js', '--help'])).loaded).toContain(
      `file://${path.join(copy, 'dist', 'controller', 'cli', 'main.js')}`,
    );
  }, 60_000);

  it('bundles the workflows of dist/ for a worker started from dist/', async () => {
    const script = `const { bundleWorkflows, workflowsPath } = await import(${JSON.stringify(path.join(copy, 'dist', 'controller', 'worker', 'start-worker.js'))}); const bundle = await bundleWorkflows(); console.log(workflowsPath, bundle.code.length);`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: copy });
    const [bundled, size] = stdout.trim().split(' ');
    expect(bundled).toBe(path.join(copy, 'dist', 'workflows', 'index.js'));
    expect(Number(size)).toBeGreaterThan(100_000);
  }, 120_000);
});
