/**
 * R-CRED-3 / R-SEC-1: secret fields must be references, never literals, so no secret reaches
 * git. The schema accepts both forms on purpose, so that this rule can give a located error
 * naming the field (and never echo the value).
 */
import { isRecord, seg, type Rule } from './rule-context.js';

/** Secret fields per credential type (R-CRED-1). */
export const secretFields: Record<string, readonly string[]> = {
  basic: ['password'],
  azuread: ['clientSecret'],
  bearer: ['token'],
  awssigv4: ['secretAccessKey', 'sessionToken'],
  others: [],
  scs: ['clientSecret'],
};

export const checkSecrets: Rule = (context) => {
  for (const credential of context.index.credentials.values()) {
    const spec: unknown = credential.value.spec;
    if (!isRecord(spec)) continue;
    const type = typeof spec.type === 'string' ? spec.type : '';
    for (const field of secretFields[type] ?? []) {
      if (typeof spec[field] === 'string') {
        context.report(
          'CRED-LITERAL-SECRET',
          `${type} credential "${credential.value.metadata.name}": ${field} is a secret and must be a reference such as {secretRef: {env: NAME}}, not a literal`,
          credential,
          `/spec/${field}`,
        );
      }
    }
    const keys = spec.keys;
    if (keys && typeof keys === 'object') {
      for (const [name, entry] of Object.entries(keys as Record<string, unknown>)) {
        if (entry && typeof entry === 'object' && (entry as { secret?: unknown }).secret === true && 'value' in entry) {
          context.report(
            'CRED-LITERAL-SECRET',
            `credential "${credential.value.metadata.name}": key "${name}" is marked secret, so its value must be a secretRef, not a literal`,
            credential,
            `/spec/keys${seg(name)}/value`,
          );
        }
      }
    }
  }
};
