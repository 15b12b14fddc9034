/**
 * The values behind a REST credential's fields (R-CRED-3, R-CRED-4): a literal, or what its
 * `secretRef` holds, read on the worker by the one secret reader (`../secret-references.ts`) at
 * the moment a job needs it. Referenced values are secret: the caller redacts them.
 */
import type { CredentialKeyValue, CredentialValue } from '../../lib/job-specs.js';
import { readSecretReference } from '../secret-references.js';

/**
 * A credential field's value: the literal, or what its reference holds.
 * @throws SecretUnavailableError when the reference cannot be read or is empty.
 */
export async function resolveCredentialValue(
  value: CredentialValue,
  field: string,
): Promise<{ value: string; secret: boolean }> {
  if (typeof value === 'string') return { value, secret: false };
  return { value: await readSecretReference(value.secretRef, field, 'worker'), secret: true };
}

/**
 * A credential key's value (R-CRED-2); referenced values are treated as secret.
 * @throws SecretUnavailableError when the reference cannot be read or is empty.
 */
export async function resolveCredentialKey(
  value: CredentialKeyValue,
  field: string,
): Promise<{ value: string; secret: boolean }> {
  if (typeof value === 'string') return { value, secret: false };
  if ('value' in value) return { value: value.value, secret: false };
  return { value: await readSecretReference(value.secretRef, field, 'worker'), secret: true };
}
