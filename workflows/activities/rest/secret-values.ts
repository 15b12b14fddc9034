/**
 * Reads the values behind credential references (R-CRED-3, R-CRED-4): `{secretRef: {env}}` from
 * the worker's environment, `{secretRef: {file}}` from a file on the worker host (trailing newline
 * removed). Values are read at the moment a job needs them and exist only in this process's memory:
 * errors name the reference, never a value.
 */
import { readFile } from 'node:fs/promises';
import type { CredentialKeyValue, CredentialValue, SecretSource } from '../../lib/job-specs.js';

/** A reference could not be resolved; the message names the reference only. The job ends with 10. */
export class SecretUnavailableError extends Error {}

/** Describes a reference for messages: `env FOO` or `file /run/secrets/foo`. */
export function describeSecretSource(source: SecretSource): string {
  return 'env' in source ? `env ${source.env}` : `file ${source.file}`;
}

/**
 * Reads one reference.
 * @throws SecretUnavailableError when the variable is unset or empty, or the file cannot be read.
 */
export async function readSecretSource(source: SecretSource, field: string): Promise<string> {
  if ('env' in source) {
    const value = process.env[source.env];
    if (value === undefined || value === '') {
      throw new SecretUnavailableError(`${field}: the worker's environment variable ${source.env} is not set`);
    }
    return value;
  }
  try {
    return (await readFile(source.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecretUnavailableError(`${field}: the file ${source.file} cannot be read on the worker (${code})`);
  }
}

/** A credential field's value: the literal, or what its reference holds. */
export async function resolveCredentialValue(value: CredentialValue, field: string): Promise<{ value: string; secret: boolean }> {
  if (typeof value === 'string') return { value, secret: false };
  return { value: await readSecretSource(value.secretRef, field), secret: true };
}

/** A credential key's value (R-CRED-2); referenced values are treated as secret. */
export async function resolveCredentialKey(value: CredentialKeyValue, field: string): Promise<{ value: string; secret: boolean }> {
  if (typeof value === 'string') return { value, secret: false };
  if ('value' in value) return { value: value.value, secret: false };
  return { value: await readSecretSource(value.secretRef, field), secret: true };
}
