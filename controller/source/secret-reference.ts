/**
 * Reads the secrets the controller itself needs (git remote credentials, webhook secrets) from
 * references: `{env: NAME}` from the controller's environment, `{file: PATH}` from a file on the
 * controller host (trailing newline removed), R-SEC-1. Values are read when needed, so a rotated
 * secret is picked up without a restart, and live only in memory; errors name the reference, never
 * a value.
 *
 * The reference shape is the one credentials use (workflows/lib/job-specs.ts). The worker's resolver
 * (workflows/activities/rest/secret-values.ts) is not reused: it is activity code whose messages
 * speak of "the worker", which would send an operator to the wrong host when the controller runs
 * alone.
 */
import { readFile } from 'node:fs/promises';
import type { SecretSource } from '../../workflows/lib/job-specs.js';

/** `{env: NAME}` or `{file: PATH}`. */
export type SecretReference = SecretSource;

/** A reference could not be resolved; the message names the reference and what it is for. */
export class SecretReferenceError extends Error {
  override readonly name = 'SecretReferenceError';
}

/** Describes a reference for messages: `env GIT_TOKEN` or `file /run/secrets/git-token`. */
export function describeSecretReference(reference: SecretReference): string {
  return 'env' in reference ? `env ${reference.env}` : `file ${reference.file}`;
}

/**
 * Reads one reference; `purpose` says what it is for ("git password for https://host/repo").
 * @throws SecretReferenceError when the variable is unset or empty, or the file cannot be read or is empty.
 */
export async function readSecretReference(reference: SecretReference, purpose: string): Promise<string> {
  if ('env' in reference) {
    const value = process.env[reference.env];
    if (value === undefined || value === '') {
      throw new SecretReferenceError(`${purpose}: the controller's environment variable ${reference.env} is not set`);
    }
    return value;
  }
  let value: string;
  try {
    value = (await readFile(reference.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecretReferenceError(`${purpose}: the file ${reference.file} cannot be read on the controller (${code})`);
  }
  if (value === '') throw new SecretReferenceError(`${purpose}: the file ${reference.file} is empty`);
  return value;
}
