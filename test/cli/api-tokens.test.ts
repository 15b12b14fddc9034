/**
 * The API's accounts from the command line (R-SEC-2), with the real bin: `jobnet token create`
 * prints a token once and the tokens-file lines holding only its hash; those lines pasted into a
 * file are what `jobnet api --tokens-file` authenticates with (on the shared dev server). Without a
 * tokens file `jobnet api` is a usage error naming the flag and the environment variable; a broken
 * file is refused at start with its position, and never echoes the hash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { apiTokenDigest } from '../../controller/api/auth/api-tokens.js';
import { freePort } from '../../controller/temporal/dev-server.js';
import { until } from '../integration/gitops-repository.js';
import { projectRoot, runJobnet } from './cli-process.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('jobnet token create prints the token once and lines that jobnet api authenticates with', async () => {
  const created = await runJobnet(['token', 'create', '--subject', 'alice', '--group', 'ops', '--expires', '30d']);
  expect(created.code, created.stderr).toBe(0);
  const token = /^token: (jnt_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1] as string;
  expect(token).toBeDefined();
  expect(created.stdout.split(token).length).toBe(2);
  expect(created.stdout).toContain(`sha256: ${apiTokenDigest(token)}`);
  // The account lines as printed, between the explanation and the rotation hint.
  const lines = created.stdout.slice(created.stdout.indexOf('  - subject: alice'), created.stdout.indexOf('\n\nor,'));
  const dir = await mkdtemp(path.join(tmpdir(), 'jobnet-tokens-'));
  dirs.push(dir);
  const tokensFile = path.join(dir, 'tokens.yaml');
  await writeFile(tokensFile, `accounts:\n${lines}\n`);

  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(projectRoot, 'bin', 'jobnet.js'),
      'api',
      '--listen',
      `127.0.0.1:${port}`,
      '--address',
      inject('temporalAddress'),
      '--namespace',
      inject('temporalNamespace'),
      '--task-queue',
      `api-tokens-${process.pid}`,
    ],
    { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1', JOBNET_API_TOKENS_FILE: tokensFile }, stdio: 'pipe' },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(
    'jobnet api listening',
    () =>
      output.includes('API listening') ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined,
    30_000,
    () => output,
  );
  const base = `http://127.0.0.1:${port}`;
  expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
  const answer = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${token}` } });
  expect(answer.status).toBe(200);
  expect((await fetch(`${base}/?token=${token}`)).status).toBe(200);
  expect(output).not.toContain(token);
  expect(output).not.toContain(apiTokenDigest(token));
}, 90_000);

it('jobnet api without a tokens file is a usage error naming the flag and the variable', async () => {
  const env = { JOBNET_API_TOKENS_FILE: '' };
  const result = await runJobnet(['api', '--listen', '127.0.0.1:0'], env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--tokens-file');
  expect(result.stderr).toContain('JOBNET_API_TOKENS_FILE');
});

it('jobnet api refuses a broken tokens file at start, at its position, without echoing the hash', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'jobnet-tokens-'));
  dirs.push(dir);
  const tokensFile = path.join(dir, 'tokens.yaml');
  const hash = `${'ab'.repeat(32)}z`;
  await writeFile(tokensFile, `accounts:\n  - subject: a\n    tokens: [{sha256: ${hash}}]\n`);
  const result = await runJobnet(['api', '--tokens-file', tokensFile, '--address', inject('temporalAddress')]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`${tokensFile}:3:23: accounts[0].tokens[0].sha256 must be 64 hexadecimal digits`);
  expect(result.stderr).not.toContain(hash);
});
