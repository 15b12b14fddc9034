/**
 * The one reader of secret references, used by the controller (git credentials) and the worker
 * (REST credentials): what it reads, and that an empty secret is unavailable on either host,
 * with a message naming the reference and the host but never a value.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretReference, SecretUnavailableError } from '../../workflows/activities/secret-references.js';
import { resolveCredentialKey, resolveCredentialValue } from '../../workflows/activities/rest/secret-values.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jobnet-secrets-'));
  await writeFile(path.join(dir, 'token'), 's3cret-value\n');
  await writeFile(path.join(dir, 'empty'), '');
  await writeFile(path.join(dir, 'newline'), '\n');
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SecretUnavailableError);
  return error as Error;
}

describe('readSecretReference', () => {
  it('reads a file without its trailing newline, and a set variable as it is', async () => {
    expect(await readSecretReference({ file: path.join(dir, 'token') }, 'git token', 'controller')).toBe(
      's3cret-value',
    );
    process.env.JOBNET_SECRET_TEST_SET = 'from-env';
    expect(await readSecretReference({ env: 'JOBNET_SECRET_TEST_SET' }, 'token', 'worker')).toBe('from-env');
  });

  it.each(['controller', 'worker'] as const)(
    'refuses an empty file on the %s, naming the reference and the host',
    async (host) => {
      for (const name of ['empty', 'newline']) {
        const file = path.join(dir, name);
        const error = await failure(readSecretReference({ file }, 'credential svc: token', host));
        expect(error.message).toBe(`credential svc: token: the file ${file} on the ${host} is empty`);
        expect(error.name).toBe('SecretUnavailableError');
      }
    },
  );

  it('refuses an unset or empty variable and a file that cannot be read', async () => {
    process.env.JOBNET_SECRET_TEST_EMPTY = '';
    expect(
      (
        await failure(
          readSecretReference(
            { env: 'JOBNET_SECRET_TEST_EMPTY' },
            'git password for https://git.example/repo',
            'controller',
          ),
        )
      ).message,
    ).toBe(
      "git password for https://git.example/repo: the controller's environment variable JOBNET_SECRET_TEST_EMPTY is not set",
    );
    expect((await failure(readSecretReference({ env: 'JOBNET_SECRET_TEST_UNSET' }, 'token', 'worker'))).message).toBe(
      "token: the worker's environment variable JOBNET_SECRET_TEST_UNSET is not set",
    );
    const missing = path.join(dir, 'missing');
    expect((await failure(readSecretReference({ file: missing }, 'token', 'worker'))).message).toBe(
      `token: the file ${missing} cannot be read on the worker (ENOENT)`,
    );
  });
});

describe('REST credential values', () => {
  it('treat an empty secret file as unavailable, not as an empty secret', async () => {
    const file = path.join(dir, 'empty');
    await failure(resolveCredentialValue({ secretRef: { file } }, 'credential svc: password'));
    await failure(resolveCredentialKey({ secretRef: { file }, secret: true }, 'credential svc: keys.K'));
    expect(
      await resolveCredentialValue({ secretRef: { file: path.join(dir, 'token') } }, 'credential svc: password'),
    ).toEqual({ value: 's3cret-value', secret: true });
  });
});
