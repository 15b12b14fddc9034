/**
 * The one reader of secret references (R-SEC-1, R-CRED-3, R-CRED-4), for the controller (git
 * remote credentials), the worker (REST credentials) and the API (tokens of the tokens file) alike: `{env: NAME}` from the process's
 * environment, `{file: PATH}` from a file on its host, trailing newline removed. A value is read
 * when it is needed, so a rotated secret is picked up without a restart, and it lives only in this
 * process's memory.
 *
 * An unset or empty variable, a file that cannot be read and an empty file are all unavailable:
 * an empty secret is never handed on (it would authenticate as nobody and redact nothing). Errors
 * name the reference and the host it was read on, so an operator looks on the right machine; never
 * a value.
 *
 * Node code (node:fs): it lives with the activities, which may do I/O and are never bundled into
 * workflows; the controller imports it from here.
 */
import { readFile } from 'node:fs/promises';
import type { SecretSource } from '../lib/job-specs.js';

/** `{env: NAME}` or `{file: PATH}`: the shape credentials use (workflows/lib/job-specs.ts). */
export type SecretReference = SecretSource;

/** The process that reads a reference, named in messages: where its variable or file must be. */
export type SecretHost = 'controller' | 'worker' | 'api';

/** A reference could not be resolved; the message names the reference and what it is for, never a value. */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** Describes a reference for messages: `env GIT_TOKEN` or `file /run/secrets/git-token`. */
export function describeSecretReference(reference: SecretReference): string {
  return 'env' in reference ? `env ${reference.env}` : `file ${reference.file}`;
}

/**
 * Reads one reference on `host`; `purpose` says what it is for ("git password for https://host/repo",
 * "credential svc: token").
 * @throws SecretUnavailableError when the variable is unset or empty, or the file cannot be read or
 *   is empty (a newline alone included).
 */
export async function readSecretReference(
  reference: SecretReference,
  purpose: string,
  host: SecretHost,
): Promise<string> {
  if ('env' in reference) {
    const value = process.env[reference.env];
    if (value === undefined || value === '') {
      throw new SecretUnavailableError(`${purpose}: the ${host}'s environment variable ${reference.env} is not set`);
    }
    return value;
  }
  let value: string;
  try {
    value = (await readFile(reference.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecretUnavailableError(`${purpose}: the file ${reference.file} cannot be read on the ${host} (${code})`);
  }
  if (value === '') throw new SecretUnavailableError(`${purpose}: the file ${reference.file} on the ${host} is empty`);
  return value;
}
