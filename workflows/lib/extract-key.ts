/**
 * Extract keys of REST jobs (R-REST-4, WOI 8.3.1): the small path language of
 * `takeoverKeys`, `jobnetValKeys`, `pollingEndKey` and `checkResultKey` that picks one value out of
 * a response body.
 *
 * Grammar (offsets in messages are 0-based string indices into the key):
 * ```
 * key      = segment *( "." segment )              ; at most 1024 bytes in UTF-8
 * segment  = name / index / filter
 * name     = 1*( any character except . = [ ] )   ; any script; `<NAME>` tokens are ordinary text
 * index    = "[" 1*DIGIT "]"                       ; 0-based list index
 * filter   = "[?" quoted "==" ( number / quoted ) "]"   ; first list element whose property matches
 * quoted   = DQUOTE *( any character except DQUOTE ) DQUOTE
 * number   = [ "-" ] 1*DIGIT [ "." 1*DIGIT ]
 * ```
 * Quoted strings may contain `.` and `=` (WOI forbids them because its parser splits on them; ours
 * reads brackets as a unit), so a takeover value with a dot still works inside `"<NAME>"`.
 *
 * The same parser serves the controller's validator (on the key as written, with `<NAME>` tokens
 * in place) and the REST workflow (on the key after takeover substitution), so this module runs
 * inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no randomness.
 */
import { utf8ByteLength } from './name-rules.js';

export { takeoverTokens } from './variable-references.js';

/** Largest extract key in UTF-8 bytes (R-REST-4). */
export const extractKeyMaxBytes = 1024;

/**
 * One step of an extract key. `source` is the segment as written (for messages); `offset` is where
 * it starts in the key.
 */
export type ExtractStep =
  | { kind: 'key'; name: string; source: string; offset: number }
  | { kind: 'index'; index: number; source: string; offset: number }
  | { kind: 'filter'; key: string; value: string | number; source: string; offset: number };

export type ExtractKeyParse = { ok: true; steps: ExtractStep[] } | { ok: false; message: string; offset: number };

export type ExtractKeyEvaluation = { found: true; value: unknown } | { found: false; at: string };

/** Internal: carries a syntax error out of the recursive reader; never escapes {@link parseExtractKey} (exported for the error-name check). */
export class ExtractKeySyntaxError extends Error {
  override name = 'ExtractKeySyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const takeoverTokenAt = /<[A-Za-z0-9_]+>/y;
const numberAt = /-?[0-9]+(?:\.[0-9]+)?/y;

/** Reads extract keys; one instance per key. Throws {@link ExtractKeySyntaxError} internally only. */
class ExtractKeyReader {
  private position = 0;

  constructor(private readonly text: string) {}

  readKey(): ExtractStep[] {
    const steps: ExtractStep[] = [];
    for (;;) {
      steps.push(this.readSegment());
      if (this.position === this.text.length) return steps;
      // readSegment stops only at the end, at a "." or (after "]") at anything else.
      if (this.text[this.position] !== '.') {
        throw new ExtractKeySyntaxError(`expected "." or the end of the key after "]"`, this.position);
      }
      this.position++;
    }
  }

  private readSegment(): ExtractStep {
    const start = this.position;
    if (start === this.text.length || this.text[start] === '.') {
      const where =
        start === 0
          ? 'at the start of the key'
          : start === this.text.length
            ? 'after the final "."'
            : 'between two "."';
      throw new ExtractKeySyntaxError(`expected a key name or "[" ${where} (empty segment)`, start);
    }
    if (this.text[start] === '[') return this.readBracket();
    return this.readName();
  }

  private readName(): ExtractStep {
    const start = this.position;
    while (this.position < this.text.length) {
      const character = this.text[this.position];
      if (character === '.') break;
      if (character === '[') {
        throw new ExtractKeySyntaxError(
          `"[" must start its own segment: write "${this.text.slice(start, this.position)}.[…]"`,
          this.position,
        );
      }
      if (character === ']') throw new ExtractKeySyntaxError(`unexpected "]" in a key name`, this.position);
      if (character === '=') {
        throw new ExtractKeySyntaxError(
          `"=" is not allowed in a key name (filters are written [?"key"==value])`,
          this.position,
        );
      }
      this.position++;
    }
    const name = this.text.slice(start, this.position);
    return { kind: 'key', name, source: name, offset: start };
  }

  private readBracket(): ExtractStep {
    const start = this.position;
    this.position++; // "["
    const next = this.text[this.position];
    if (next === '?') {
      this.position++;
      return this.readFilter(start);
    }
    if (next !== undefined && next >= '0' && next <= '9') {
      const digitsStart = this.position;
      while (this.position < this.text.length && /[0-9]/.test(this.text[this.position] ?? '')) this.position++;
      const index = Number(this.text.slice(digitsStart, this.position));
      if (!Number.isSafeInteger(index)) throw new ExtractKeySyntaxError('list index is too large', digitsStart);
      this.expectClosingBracket(start);
      return { kind: 'index', index, source: this.text.slice(start, this.position), offset: start };
    }
    throw new ExtractKeySyntaxError(
      `expected a list index (digits) or "?" after "["${this.takeoverHint(this.position)}`,
      this.position,
    );
  }

  private readFilter(start: number): ExtractStep {
    if (this.text[this.position] !== '"') {
      throw new ExtractKeySyntaxError('expected a double-quoted key name after "[?"', this.position);
    }
    const keyStart = this.position;
    const key = this.readQuoted();
    if (key.length === 0) throw new ExtractKeySyntaxError('expected a key name between the quotes', keyStart + 1);
    if (!this.text.startsWith('==', this.position)) {
      throw new ExtractKeySyntaxError(`expected "==" after the filter key "${key}"`, this.position);
    }
    this.position += 2;
    let value: string | number;
    if (this.text[this.position] === '"') {
      value = this.readQuoted();
    } else {
      numberAt.lastIndex = this.position;
      const match = numberAt.exec(this.text);
      if (!match) {
        throw new ExtractKeySyntaxError(
          `expected a number or a double-quoted string after "=="${this.takeoverHint(this.position)}`,
          this.position,
        );
      }
      value = Number(match[0]);
      this.position += match[0].length;
    }
    this.expectClosingBracket(start);
    return { kind: 'filter', key, value, source: this.text.slice(start, this.position), offset: start };
  }

  /** Reads `"…"` at the current position and returns its content. */
  private readQuoted(): string {
    const open = this.position;
    const close = this.text.indexOf('"', open + 1);
    if (close === -1) {
      throw new ExtractKeySyntaxError(
        `expected a closing '"' for the string opened at offset ${open}`,
        this.text.length,
      );
    }
    this.position = close + 1;
    return this.text.slice(open + 1, close);
  }

  private expectClosingBracket(open: number): void {
    if (this.text[this.position] !== ']') {
      throw new ExtractKeySyntaxError(`expected "]" to close the "[" at offset ${open}`, this.position);
    }
    this.position++;
  }

  /** Explains that a takeover token cannot stand for a number, when one sits at `offset`. */
  private takeoverHint(offset: number): string {
    takeoverTokenAt.lastIndex = offset;
    return takeoverTokenAt.test(this.text)
      ? '; a <NAME> takeover token can stand only for text: use a filter with a quoted value, e.g. [?"id"=="<NAME>"]'
      : '';
  }
}

/** Offset of the character at which `text` passes `maxBytes` bytes in UTF-8. */
function offsetPastByteLimit(text: string, maxBytes: number): number {
  let bytes = 0;
  let offset = 0;
  for (const character of text) {
    bytes += utf8ByteLength(character);
    if (bytes > maxBytes) return offset;
    offset += character.length;
  }
  return offset;
}

/**
 * Parses an extract key (R-REST-4). Keys may contain `<NAME>` takeover tokens, which parse as
 * ordinary characters of names and quoted strings (they are substituted before evaluation at run
 * time; the validator checks their names with {@link takeoverTokens}). Returns the steps, or the
 * first syntax error with the 0-based offset where something else was expected and a message
 * saying what. Never throws.
 */
export function parseExtractKey(text: string): ExtractKeyParse {
  const bytes = utf8ByteLength(text);
  if (bytes > extractKeyMaxBytes) {
    return {
      ok: false,
      message: `an extract key is at most ${extractKeyMaxBytes} bytes in UTF-8; this one is ${bytes} bytes`,
      offset: offsetPastByteLimit(text, extractKeyMaxBytes),
    };
  }
  try {
    return { ok: true, steps: new ExtractKeyReader(text).readKey() };
  } catch (error) {
    if (error instanceof ExtractKeySyntaxError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const decimalText = /^-?[0-9]+(?:\.[0-9]+)?$/;

/**
 * Whether a list element's property matches a filter literal. A quoted literal matches a scalar
 * whose {@link formatExtractedValue} text equals it (so `"0"` matches the number 0, which lets a
 * quoted `<NAME>` token stand for a number); a number literal matches an equal number, or a decimal
 * string of equal value (XML responses carry every leaf as text).
 */
function filterMatches(property: unknown, literal: string | number): boolean {
  if (typeof literal === 'number') {
    if (typeof property === 'number') return property === literal;
    return typeof property === 'string' && decimalText.test(property) && Number(property) === literal;
  }
  if (typeof property === 'string') return property === literal;
  if (typeof property === 'number' || typeof property === 'boolean') return String(property) === literal;
  return false;
}

/**
 * Applies parsed steps to a response value (a parsed JSON body, or an XML body mapped to objects).
 * Returns the value found (which may be `null`), or `found: false` with `at`: the key up to and
 * including the segment that matched nothing (a missing property, an index past the end, a filter
 * without a match, or a segment applied to the wrong type). The caller ends the job with 8
 * (R-EXIT-3). Never throws.
 */
export function evaluateExtractKey(steps: readonly ExtractStep[], value: unknown): ExtractKeyEvaluation {
  let current = value;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step === undefined) break;
    let next: { value: unknown } | undefined;
    if (step.kind === 'key') {
      if (isRecord(current) && Object.prototype.hasOwnProperty.call(current, step.name)) {
        next = { value: current[step.name] };
      }
    } else if (step.kind === 'index') {
      if (Array.isArray(current) && step.index < current.length) next = { value: current[step.index] as unknown };
    } else if (Array.isArray(current)) {
      const element = current.find(
        (item: unknown) =>
          isRecord(item) &&
          Object.prototype.hasOwnProperty.call(item, step.key) &&
          filterMatches(item[step.key], step.value),
      ) as unknown;
      if (element !== undefined) next = { value: element };
    }
    if (next === undefined) {
      return {
        found: false,
        at: steps
          .slice(0, i + 1)
          .map((s) => s.source)
          .join('.'),
      };
    }
    current = next.value;
  }
  return { found: true, value: current };
}

/**
 * The text of an extracted value, as compared with `pollingEndVal`/`checkResultVal` and printed in
 * `NAME=VALUE` output lines (R-REST-2, R-REST-6): strings as they are, numbers and booleans via
 * `String`, `null` as `null`, objects and arrays as compact JSON, `undefined` as the empty string.
 * Never throws.
 */
export function formatExtractedValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return '';
    }
  }
  return '';
}
