/**
 * Variable references in job definitions and their run-time substitution (R-VAR-1..4, WOI 8.3.1
 * "variable substitution").
 *
 * One scanner finds the tokens (`@NAME@`, `@PREFIX.NAME@`, `@.VPARAM@`, `<NAME>`); the validator
 * uses it to report unknown names, and the substitution pipeline uses the very same scanner when a
 * job starts, so what validates is what runs.
 *
 * This module runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no
 * randomness. Substituted values may be secrets (credential keys): no message produced here
 * contains a substituted value, only the names of fields and variables (R-CRED-4, R-SEC-1).
 */
import { utf8ByteLength } from './name-rules.js';

/**
 * Kind of a variable reference:
 * - `definition`: `@NAME@`, NAME `[A-Za-z0-9_-]+` — a job-definition variable (R-VAR-2) or a
 *   credential key (R-CRED-2); both are written the same way.
 * - `jobnet`: `@PREFIX.NAME@`, both parts `[A-Za-z0-9_]+` — a jobnet variable (R-VAR-1).
 * - `parameter`: `@.VPARAM@` — the run's variable parameter (R-VAR-3, R-EVT-4).
 * - `takeover`: `<NAME>`, NAME `[A-Za-z0-9_]+` — a REST takeover value (R-REST-4).
 */
export type VariableReferenceKind = 'definition' | 'jobnet' | 'parameter' | 'takeover';

/** A token found in a text. Offsets are 0-based string indices; `end` is exclusive. */
export interface VariableReference {
  kind: VariableReferenceKind;
  /** `NAME` for `@NAME@` and `<NAME>`, `PREFIX.NAME` for jobnet variables, `VPARAM` for the parameter. */
  name: string;
  start: number;
  end: number;
}

const parameterToken = '@.VPARAM@';
const atReference = /@(?:([A-Za-z0-9_]+\.[A-Za-z0-9_]+)|([A-Za-z0-9_-]+))@/y;
const takeoverReference = /<([A-Za-z0-9_]+)>/y;

/**
 * Finds every variable reference in `text`, left to right, without overlaps: once a token is
 * recognised the scan continues after it, so in `@A@B@` only `@A@` is a reference. Text that does
 * not form a token (an e-mail address, a lone `@`, `<html lang="en">`) is not a reference.
 * Never throws.
 */
export function findVariableReferences(text: string): VariableReference[] {
  const references: VariableReference[] = [];
  let i = 0;
  while (i < text.length) {
    const character = text[i];
    if (character === '@') {
      if (text.startsWith(parameterToken, i)) {
        references.push({ kind: 'parameter', name: 'VPARAM', start: i, end: i + parameterToken.length });
        i += parameterToken.length;
        continue;
      }
      atReference.lastIndex = i;
      const match = atReference.exec(text);
      if (match) {
        const end = i + match[0].length;
        if (match[1] !== undefined) references.push({ kind: 'jobnet', name: match[1], start: i, end });
        else references.push({ kind: 'definition', name: match[2] ?? '', start: i, end });
        i = end;
        continue;
      }
    } else if (character === '<') {
      takeoverReference.lastIndex = i;
      const match = takeoverReference.exec(text);
      if (match) {
        const end = i + match[0].length;
        references.push({ kind: 'takeover', name: match[1] ?? '', start: i, end });
        i = end;
        continue;
      }
    }
    i++;
  }
  return references;
}

/**
 * Names of the takeover tokens `<NAME>` in `text`, in order of appearance and without
 * duplicates (R-REST-4). Validators check them against the job's `takeoverKeys`.
 */
export function takeoverTokens(text: string): string[] {
  const names: string[] = [];
  for (const reference of findVariableReferences(text)) {
    if (reference.kind === 'takeover' && !names.includes(reference.name)) names.push(reference.name);
  }
  return names;
}

/** Values available to substitution when a job starts (R-VAR-4). Omitted sources replace nothing. */
export interface VariableSources {
  /** Credential keys (`keys` of the job's credential, resolved), used for `@key@` (R-CRED-2). */
  credentialKeys?: Readonly<Record<string, string>>;
  /** Job-definition variables after precedence (Settings < Environment < Project < Jobnet), for `@NAME@` (R-VAR-2). */
  definitionVariables?: Readonly<Record<string, string>>;
  /** Jobnet variables of the run, keyed `PREFIX.NAME`, for `@PREFIX.NAME@` (R-VAR-1). */
  jobnetVariables?: Readonly<Record<string, string>>;
  /**
   * The run's variable parameter for `@.VPARAM@` (R-VAR-3): pass `''` when the run has none.
   * When omitted, `@.VPARAM@` is left as written (for fields it does not apply to).
   */
  parameter?: string;
  /** REST takeover values from the request response, for `<name>` (R-REST-4). */
  takeoverValues?: Readonly<Record<string, string>>;
}

/** Rules of the field being substituted. */
export interface SubstitutionLimits {
  /** Name of the field, used in messages (e.g. `request.url`). */
  field: string;
  /** Largest allowed size of the result in UTF-8 bytes; larger ends the job with 246. */
  maxBytes?: number;
  /** Whether tab, CR and LF may appear in the result (bodies); other control characters never may. */
  allowNewlines?: boolean;
}

/** Exit codes of substitution failures (R-EXIT-2): 245 forbidden characters, 246 over a length limit. */
export type SubstitutionExitCode = 245 | 246;

export type SubstitutionFailure = { ok: false; exitCode: SubstitutionExitCode; message: string };
export type TextSubstitution = { ok: true; text: string } | SubstitutionFailure;
export type ValueSubstitution<T = unknown> = { ok: true; value: T } | SubstitutionFailure;

/** One pass of the pipeline: which token kinds it replaces and where their values come from. */
interface SubstitutionPass {
  /** Describes the token for messages, e.g. `@REGION@ (credential key)`. */
  describe(reference: VariableReference): string;
  lookup(reference: VariableReference): string | undefined;
}

function ownValue(values: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (values === undefined || !Object.prototype.hasOwnProperty.call(values, name)) return undefined;
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The four passes of R-VAR-4, in their order. */
function substitutionPasses(sources: VariableSources): SubstitutionPass[] {
  return [
    {
      describe: (r) => `@${r.name}@ (credential key)`,
      lookup: (r) => (r.kind === 'definition' ? ownValue(sources.credentialKeys, r.name) : undefined),
    },
    {
      describe: (r) => `@${r.name}@`,
      lookup: (r) => (r.kind === 'definition' ? ownValue(sources.definitionVariables, r.name) : undefined),
    },
    {
      describe: (r) => (r.kind === 'parameter' ? parameterToken : `@${r.name}@`),
      lookup: (r) => {
        if (r.kind === 'parameter') return sources.parameter;
        if (r.kind === 'jobnet') return ownValue(sources.jobnetVariables, r.name);
        return undefined;
      },
    },
    {
      describe: (r) => `<${r.name}>`,
      lookup: (r) => (r.kind === 'takeover' ? ownValue(sources.takeoverValues, r.name) : undefined),
    },
  ];
}

/**
 * Whether `text` holds a character that may not survive substitution (exit 245): C0 controls,
 * DEL and C1 controls; tab, CR and LF only when `allowNewlines` is false.
 */
function hasForbiddenCharacter(text: string, allowNewlines: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x09 || unit === 0x0a || unit === 0x0d) {
      if (!allowNewlines) return true;
    } else if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) {
      return true;
    }
  }
  return false;
}

/**
 * Substitutes variables in one text when a job starts, exactly as R-VAR-4 orders it:
 *
 * 1. credential keys `@key@`, 2. job-definition variables `@NAME@`, 3. jobnet variables
 * `@PREFIX.NAME@` and the variable parameter `@.VPARAM@`, 4. REST takeover values `<name>`.
 *
 * Each pass scans the text once with {@link findVariableReferences} and replaces the tokens of its
 * own kind whose name it knows; unknown tokens stay as written. A value inserted by a pass is seen
 * by the later passes only: a credential key's value may contain `@JOBDEF@` (replaced by pass 2),
 * a job-definition value may contain `<var>` (replaced by pass 4), but `@key@` inside a
 * job-definition value and `@X@` inside a takeover value stay literal (WOI 8.3.1). A name that is
 * both a credential key and a job-definition variable is therefore taken from the credential.
 *
 * The result is then checked: a forbidden control character ends the job with 245, a result over
 * `limits.maxBytes` with 246 (the character check comes first). Messages name the field and, for
 * 245, the variable whose value brought the character in — never a value. Never throws.
 */
export function substituteVariables(
  text: string,
  sources: VariableSources,
  limits: SubstitutionLimits,
): TextSubstitution {
  const allowNewlines = limits.allowNewlines ?? false;
  let current = text;
  let forbiddenFrom: string | undefined;
  for (const pass of substitutionPasses(sources)) {
    let result = '';
    let copiedUpTo = 0;
    for (const reference of findVariableReferences(current)) {
      const value = pass.lookup(reference);
      if (value === undefined) continue;
      if (forbiddenFrom === undefined && hasForbiddenCharacter(value, allowNewlines)) {
        forbiddenFrom = pass.describe(reference);
      }
      result += current.slice(copiedUpTo, reference.start) + value;
      copiedUpTo = reference.end;
    }
    current = copiedUpTo === 0 ? current : result + current.slice(copiedUpTo);
  }

  if (hasForbiddenCharacter(current, allowNewlines)) {
    const source = forbiddenFrom === undefined ? 'the field text itself' : `the value of ${forbiddenFrom}`;
    const allowed = allowNewlines ? ' other than tab, CR and LF' : '';
    return {
      ok: false,
      exitCode: 245,
      message: `${limits.field}: a control character${allowed} is not allowed after variable substitution; it comes from ${source}`,
    };
  }
  if (limits.maxBytes !== undefined) {
    const bytes = utf8ByteLength(current);
    if (bytes > limits.maxBytes) {
      return {
        ok: false,
        exitCode: 246,
        message: `${limits.field}: ${bytes} bytes after variable substitution; the limit is ${limits.maxBytes} bytes`,
      };
    }
  }
  return { ok: true, text: current };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Appends a property or index to a field path for messages: `body.items[2].name`. */
function childField(field: string, key: string | number): string {
  if (typeof key === 'number') return `${field}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`;
}

/**
 * Applies {@link substituteVariables} to every string inside a JSON-like value (a REST body, the
 * `query`/`header` maps, a job's spec), returning a new value; object keys, numbers, booleans and
 * null are left untouched and the input is not modified. `limits` apply to each string separately,
 * and the field in a message is the path of that string (e.g. `request.header.Authorization`).
 * Stops at the first failure. Never throws.
 *
 * The result has the type of the input: only strings are replaced, and only by strings. (Strings
 * of a literal type, an HTTP method or an operator, come from schema enums that cannot hold a
 * reference, so they come back as they were.)
 */
export function substituteInValue<T>(
  value: T,
  sources: VariableSources,
  limits: SubstitutionLimits,
): ValueSubstitution<T> {
  return substituteInJson(value, sources, limits) as ValueSubstitution<T>;
}

function substituteInJson(value: unknown, sources: VariableSources, limits: SubstitutionLimits): ValueSubstitution {
  if (typeof value === 'string') {
    const substituted = substituteVariables(value, sources, limits);
    return substituted.ok ? { ok: true, value: substituted.text } : substituted;
  }
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let index = 0; index < value.length; index++) {
      const item = substituteInJson(value[index], sources, { ...limits, field: childField(limits.field, index) });
      if (!item.ok) return item;
      items.push(item.value);
    }
    return { ok: true, value: items };
  }
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const substituted = substituteInJson(member, sources, { ...limits, field: childField(limits.field, key) });
      if (!substituted.ok) return substituted;
      Object.defineProperty(result, key, {
        value: substituted.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { ok: true, value: result };
  }
  return { ok: true, value };
}
