/**
 * The tokens file (R-SEC-2): the API's accounts, as server configuration outside git. Parses its
 * YAML and checks it against `schemas/tokens-file.schema.json` (Ajv, the same strict options as the
 * definition validator) and the rules a schema cannot say — subjects unique, a token digest in one
 * account only, expiries that are real dates. Every error names `file:line:column` and what is
 * wrong, never a value: a hash or token in the file is never echoed.
 *
 * Pure: the text is given; no I/O (the schema files are loaded by schema-files.ts, once).
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { LineCounter, parseDocument } from 'yaml';
import type { SecretReference } from '../../../workflows/activities/secret-references.js';
import { loadSchemas, schemaBaseUri } from '../../definitions/schema-files.js';
import { locate, segmentsToPointer } from '../../definitions/source-positions.js';
import { createAjv } from '../../definitions/validate-schema.js';
import { parseIsoExpiry } from './api-tokens.js';

/** One token of an account as the file gives it. */
export type TokenEntry = ({ sha256: string } | { secretRef: SecretReference }) & {
  expires?: Date;
  /** `file:line:column` of the entry, for errors found when a reference is read. */
  at: string;
};

/** One account of the file. */
export interface TokensFileAccount {
  subject: string;
  groups: string[];
  admin: boolean;
  tokens: TokenEntry[];
}

export type TokensFileParse = { ok: true; accounts: TokensFileAccount[] } | { ok: false; errors: string[] };

/** The schema's file name under `schemas/`. */
export const tokensFileSchemaFile = 'tokens-file.schema.json';

let validator: ValidateFunction | undefined;

function tokensFileValidator(): ValidateFunction {
  if (validator !== undefined) return validator;
  const ajv = createAjv();
  for (const schema of Object.values(loadSchemas())) ajv.addSchema(schema);
  validator = ajv.getSchema(`${schemaBaseUri}${tokensFileSchemaFile}`) as ValidateFunction;
  return validator;
}

interface RawToken {
  sha256?: string;
  secretRef?: SecretReference;
  expires?: string;
}

interface RawAccount {
  subject: string;
  groups?: string[];
  admin?: boolean;
  tokens: RawToken[];
}

/** `instancePath` of Ajv (`/accounts/0/tokens/1`) as segments. */
function segmentsOf(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/');
}

/** A field path for messages: `accounts[0].tokens[1].expires`. */
function fieldName(segments: readonly string[]): string {
  return segments.reduce(
    (name, segment) => (/^\d+$/.test(segment) ? `${name}[${segment}]` : name === '' ? segment : `${name}.${segment}`),
    '',
  );
}

/** One message per problem, from Ajv's errors; never quoting the offending value. */
function explain(error: ErrorObject): { segments: string[]; key: boolean; message: string } | undefined {
  const segments = segmentsOf(error.instancePath);
  const field = fieldName(segments);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      return { segments: [...segments, extra], key: true, message: `unknown field ${fieldName([...segments, extra])}` };
    }
    case 'required':
      return {
        segments,
        key: false,
        message: `${field === '' ? 'the file' : field} needs ${String(params.missingProperty)}`,
      };
    case 'maxItems':
    case 'minItems':
      return segments.at(-1) === 'tokens'
        ? { segments, key: false, message: `${field} must list one or two tokens (two while rotating)` }
        : { segments, key: false, message: `${field} ${error.message ?? 'is not valid'}` };
    case 'minProperties':
      return { segments, key: false, message: `${field} needs exactly one of sha256 or secretRef` };
    case 'anyOf':
      return {
        segments,
        key: false,
        message: `${field} must be an ISO 8601 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)`,
      };
    case 'format':
      return error.schemaPath.includes('/anyOf/')
        ? undefined
        : { segments, key: false, message: `${field} ${error.message ?? 'is not valid'}` };
    case 'type':
    case 'pattern':
      // An unquoted digest of digits only reads as a YAML number: the same advice fits.
      return segments.at(-1) === 'sha256'
        ? { segments, key: false, message: `${field} must be 64 hexadecimal digits (the SHA-256 of the token)` }
        : error.keyword === 'type'
          ? { segments, key: false, message: `${field} ${error.message ?? 'is not valid'}` }
          : { segments, key: false, message: `${field} does not have the expected form` };
    default:
      return {
        segments,
        key: false,
        message: `${field === '' ? 'the file' : field} ${error.message ?? 'is not valid'}`,
      };
  }
}

/**
 * Parses the text of a tokens file named `file` (the name is only used in messages).
 * Returns the accounts, or every error found, each `file:line:column: message`.
 */
export function parseTokensFile(text: string, file: string): TokensFileParse {
  const lineCounter = new LineCounter();
  const yaml = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (yaml.errors.length > 0) {
    return {
      ok: false,
      errors: yaml.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return `${file}:${position.line}:${position.col}: not valid YAML: ${error.message.split(' at line ')[0] ?? error.code}`;
      }),
    };
  }
  const value: unknown = yaml.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined)
    return { ok: false, errors: [`${file}:1:1: the file is empty; it lists the API accounts under accounts:`] };
  const parsed = { file, index: 0, value, text, ast: () => ({ yaml, lineCounter }) };
  const at = (segments: readonly (string | number)[], key = false): string => {
    const where = locate(parsed, segmentsToPointer(segments), { key });
    return `${file}:${where.line}:${where.column}`;
  };

  const validate = tokensFileValidator();
  if (!validate(value)) {
    const errors = new Set<string>();
    for (const error of validate.errors ?? []) {
      const explained = explain(error);
      if (explained !== undefined) errors.add(`${at(explained.segments, explained.key)}: ${explained.message}`);
    }
    return { ok: false, errors: [...errors] };
  }

  const errors: string[] = [];
  const subjects = new Map<string, string>();
  const digests = new Map<string, string>();
  const accounts: TokensFileAccount[] = [];
  (value as { accounts: RawAccount[] }).accounts.forEach((raw, index) => {
    const seen = subjects.get(raw.subject);
    if (seen !== undefined)
      errors.push(`${at(['accounts', index, 'subject'])}: subject ${raw.subject} is also the account at ${seen}`);
    else subjects.set(raw.subject, at(['accounts', index, 'subject']));
    const tokens: TokenEntry[] = [];
    raw.tokens.forEach((token, tokenIndex) => {
      const path = ['accounts', index, 'tokens', tokenIndex];
      let expires: Date | undefined;
      if (token.expires !== undefined) {
        expires = parseIsoExpiry(token.expires);
        if (expires === undefined)
          errors.push(
            `${at([...path, 'expires'])}: ${fieldName(path.map(String))}.expires must be an ISO 8601 date or date-time with a zone (2026-12-31, 2026-12-31T18:00:00Z)`,
          );
      }
      const base = { at: at(path), ...(expires !== undefined ? { expires } : {}) };
      if ((token.sha256 === undefined) === (token.secretRef === undefined)) {
        errors.push(`${at(path)}: ${fieldName(path.map(String))} needs exactly one of sha256 or secretRef`);
        return;
      }
      if (token.sha256 !== undefined) {
        const digest = token.sha256.toLowerCase();
        const holder = digests.get(digest);
        if (holder !== undefined)
          errors.push(`${at([...path, 'sha256'])}: the same token digest is also listed at ${holder}`);
        else digests.set(digest, at([...path, 'sha256']));
        tokens.push({ sha256: digest, ...base });
      } else if (token.secretRef !== undefined) tokens.push({ secretRef: token.secretRef, ...base });
    });
    accounts.push({ subject: raw.subject, groups: raw.groups ?? [], admin: raw.admin === true, tokens });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, accounts };
}
