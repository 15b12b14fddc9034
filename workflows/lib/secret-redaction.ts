/**
 * Removal of secret values from what REST activities return and log (R-SEC-1), in every form a
 * service can echo a value back in. A secret is matched as itself and as its base64 (standard and
 * URL-safe alphabets, padded or not, and at the three byte alignments it can have inside a longer
 * base64 text), and in both, each character may be spelt
 *
 * - as itself;
 * - JSON-escaped: `\"`, `\\`, `\/`, `\n`…, `\uXXXX` (surrogate pairs for astral characters);
 * - as an XML/HTML entity: the XML names, the HTML names of ASCII punctuation and Latin-1,
 *   `&#233;` and `&#xE9;` (leading zeros allowed);
 * - percent-encoded from its UTF-8 bytes (`%C3%A9`), a space also as `+` (form encoding);
 * - any of these JSON-escaped once more (`\\u00e9`, `\\\"`), as it reads once a service's JSON
 *   text sits in a JSON string and the output prints that string as JSON;
 *
 * hexadecimal digits in either case. Characters are matched one by one, so a service that escapes
 * some characters and not others (`\/` only, `<>&` only, non-ASCII only) is matched too. Forms
 * are removed longest first, so a shorter secret inside a longer one does not leave the rest of
 * the longer one behind.
 *
 * Pure and sandbox-safe (no Node built-ins, no I/O); it must not log or keep the secrets it is
 * given beyond the redactor it returns.
 */

/** What a secret is replaced with. */
export const redactionMark = '***';

/**
 * Values shorter than this (in UTF-16 units) are not searched for: they would mask ordinary text
 * (a one-letter "secret" would cross out every word with that letter).
 */
export const minimumSecretLength = 4;

/** Shortest inner part of an unaligned base64 form that is searched for. */
const minimumUnalignedBase64Length = 8;

/** Replaces every form of the secrets it was made for with {@link redactionMark}. */
export type Redactor = (text: string) => string;

/** A redactor for `secrets`; the identity when none is long enough to search for. */
export function createSecretRedactor(secrets: readonly string[]): Redactor {
  const searched = [...new Set(secrets)].filter((secret) => secret.length >= minimumSecretLength);
  if (searched.length === 0) return (text) => text;
  const patterns = new PatternBuilder();
  const forms = searched.flatMap((secret) => [
    { length: [...secret].length, source: patterns.text(secret) },
    ...base64Forms(secret, patterns),
  ]);
  const expressions = forms.sort((a, b) => b.length - a.length).map((form) => new RegExp(form.source, 'g'));
  return (text) => {
    let redacted = text;
    for (const expression of expressions) redacted = redacted.replace(expression, redactionMark);
    return redacted;
  };
}

/** {@link createSecretRedactor} for one text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return createSecretRedactor(secrets)(text);
}

/** A redactor applied to every value of a record (extracted variables, takeover values). */
export function redactValues(values: Record<string, string>, redact: Redactor): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, redact(value)]));
}

// ---------------------------------------------------------------------------------------------
// Base64 forms

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of bytes (btoa needs a binary string; this needs nothing). */
function base64Of(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < 4; c++) out += c < chars ? base64Alphabet[(chunk >> (18 - 6 * c)) & 63] : '=';
  }
  return out;
}

/**
 * The base64 forms of a secret's UTF-8 bytes: the encoding of the value alone (its last, partial
 * character and padding optional, as in a longer text they differ), and the characters that only
 * the secret's bits decide when one or two bytes come before it.
 */
function base64Forms(secret: string, patterns: PatternBuilder): { length: number; source: string }[] {
  const bytes = new TextEncoder().encode(secret);
  const forms: { length: number; source: string }[] = [];
  for (const offset of [0, 1, 2]) {
    const shifted = new Uint8Array(offset + bytes.length);
    shifted.set(bytes, offset);
    const encoded = base64Of(shifted);
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const stable = encoded.slice(first, end);
    if (offset === 0) {
      const [partial, ...padding] = encoded.slice(end);
      const tail =
        partial === undefined ? '' : `(?:${patterns.base64(partial)}(?:${patterns.base64('=')}){0,${padding.length}})?`;
      forms.push({ length: encoded.length, source: patterns.base64(stable) + tail });
    } else if (stable.length >= minimumUnalignedBase64Length) {
      forms.push({ length: stable.length, source: patterns.base64(stable) });
    }
  }
  return forms;
}

// ---------------------------------------------------------------------------------------------
// Spellings of one character

/** Part of a spelling: literal text, or a regular expression (hex digits in either case, `0*`). */
type Piece = { text: string } | { pattern: string };
type Spelling = readonly Piece[];

/** Short JSON escapes (RFC 8259 §7), `\/` included. */
const jsonEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** HTML/XML entity names of ASCII characters (XML's five, and HTML 5's punctuation names). */
const asciiEntityNames: Readonly<Record<string, readonly string[]>> = {
  '\t': ['Tab'],
  '\n': ['NewLine'],
  '!': ['excl'],
  '"': ['quot', 'QUOT'],
  '#': ['num'],
  $: ['dollar'],
  '%': ['percnt'],
  '&': ['amp', 'AMP'],
  "'": ['apos'],
  '(': ['lpar'],
  ')': ['rpar'],
  '*': ['ast', 'midast'],
  '+': ['plus'],
  ',': ['comma'],
  '.': ['period'],
  '/': ['sol'],
  ':': ['colon'],
  ';': ['semi'],
  '<': ['lt', 'LT'],
  '=': ['equals'],
  '>': ['gt', 'GT'],
  '?': ['quest'],
  '@': ['commat'],
  '[': ['lsqb', 'lbrack'],
  '\\': ['bsol'],
  ']': ['rsqb', 'rbrack'],
  '^': ['Hat'],
  _: ['lowbar', 'UnderBar'],
  '`': ['grave', 'DiacriticalGrave'],
  '{': ['lcub', 'lbrace'],
  '|': ['verbar', 'vert', 'VerticalLine'],
  '}': ['rcub', 'rbrace'],
};

/** HTML entity names of U+00A0…U+00FF, in code point order. */
const latin1EntityNames = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot ' +
  'cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml ' +
  'Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ' +
  'ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

function entityNames(character: string): readonly string[] {
  const point = character.codePointAt(0) ?? 0;
  if (point >= 0xa0 && point <= 0xff) return [latin1EntityNames[point - 0xa0] as string];
  return asciiEntityNames[character] ?? [];
}

/** Hexadecimal digits of `value` (at least `width`), matched in either case. */
function hex(value: number, width = 1): Piece {
  return {
    pattern: value
      .toString(16)
      .padStart(width, '0')
      .replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`),
  };
}

/** Every spelling of one character (one code point). */
function spellingsOf(character: string): Spelling[] {
  const point = character.codePointAt(0) ?? 0;
  const spellings: Spelling[] = [[{ text: character }]];
  const escape = jsonEscapes[character];
  if (escape !== undefined) spellings.push([{ text: escape }]);
  const units: Piece[] = [];
  for (let i = 0; i < character.length; i++) units.push({ text: '\\u' }, hex(character.charCodeAt(i), 4));
  spellings.push(units);
  for (const name of entityNames(character)) spellings.push([{ text: `&${name};` }]);
  spellings.push([{ text: '&#' }, { pattern: '0*' }, { text: `${point};` }]);
  spellings.push([{ pattern: '&#[xX]0*' }, hex(point), { text: ';' }]);
  spellings.push([...new TextEncoder().encode(character)].flatMap((byte): Piece[] => [{ text: '%' }, hex(byte, 2)]));
  if (character === ' ') spellings.push([{ text: '+' }]);
  return spellings;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Text as it reads inside a JSON string (what JSON.stringify writes between the quotes). */
function jsonStringContent(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** Regular-expression sources of texts, one character group at a time (cached per character). */
class PatternBuilder {
  private readonly groups = new Map<string, string>();

  /** A secret's own characters, each in any of its spellings. */
  text(text: string): string {
    return [...text].map((character) => this.group(character, [])).join('');
  }

  /** Base64 characters, each also in the URL-safe alphabet (`-` for `+`, `_` for `/`). */
  base64(text: string): string {
    return [...text]
      .map((character) => this.group(character, character === '+' ? ['-'] : character === '/' ? ['_'] : []))
      .join('');
  }

  private group(character: string, alternatives: readonly string[]): string {
    const key = `${character}\u0000${alternatives.join('')}`;
    const cached = this.groups.get(key);
    if (cached !== undefined) return cached;
    const spellings = [...spellingsOf(character), ...alternatives.flatMap(spellingsOf)];
    const sources = new Set<string>();
    for (const spelling of spellings) {
      sources.add(spelling.map((piece) => ('text' in piece ? escapeRegExp(piece.text) : piece.pattern)).join(''));
      sources.add(
        spelling
          .map((piece) => ('text' in piece ? escapeRegExp(jsonStringContent(piece.text)) : piece.pattern))
          .join(''),
      );
    }
    const group = `(?:${[...sources].join('|')})`;
    this.groups.set(key, group);
    return group;
  }
}
