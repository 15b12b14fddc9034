/**
 * Name and length rules of the definition format (R-REPO-4, R-JOBT-4): which characters a
 * project, jobnet, event, credential, calendar, variable or job name may contain, and how many
 * UTF-8 bytes a name, description, event parameter or copy suffix may take.
 *
 * The same rules serve the controller's validator and the workflows (a `raiseEvent` job checks its
 * substituted parameter at run time), so this module runs inside the Temporal workflow sandbox:
 * it must not import Node built-ins, do I/O, read the clock or use randomness. Byte lengths are
 * counted in plain TypeScript rather than with `TextEncoder`, so the module has no dependency on
 * what a sandbox happens to provide.
 */

/** Outcome of a name or length rule: `ok`, or the reason the text breaks the rule. */
export type NameCheck = { ok: true } | { ok: false; message: string };

/**
 * Limits of the definition format, in UTF-8 bytes unless the property says characters
 * (R-REPO-4, R-JOBT-4).
 */
export const nameLimits = {
  /** Project name: 1–50 bytes (R-REPO-4). */
  projectNameBytes: 50,
  /** Jobnet name: 1–50 bytes (R-REPO-4). */
  jobnetNameBytes: 50,
  /** Event name in a start condition or `waitEvent`: 1–50 bytes (R-REPO-4). */
  eventNameBytes: 50,
  /** Event name raised by a `raiseEvent` job: at most 12 bytes (R-JOBT-4). */
  raisedEventNameBytes: 12,
  /** Credential name: at most 64 bytes (R-REPO-4). */
  credentialNameBytes: 64,
  /** Calendar name: at most 64 bytes (R-REPO-4). */
  calendarNameBytes: 64,
  /** Variable name: at most 64 bytes (R-REPO-4). */
  variableNameBytes: 64,
  /** Job name: at most 64 bytes (R-REPO-4). */
  jobNameBytes: 64,
  /** `metadata.description`: at most 1024 bytes (R-REPO-4). */
  descriptionBytes: 1024,
  /** `metadata.title`: at most 100 characters (Unicode code points) (R-REPO-4). */
  titleChars: 100,
  /** Variable parameter of a `raiseEvent` job: at most 200 bytes (R-JOBT-4). */
  eventParameterBytes: 200,
  /** Copy-start suffix: at most 30 bytes (R-JOBT-4, R-JN-3). */
  copySuffixBytes: 30,
} as const;

/**
 * Number of bytes `text` takes in UTF-8. A lone surrogate counts 3 bytes, as it does when it is
 * encoded (it becomes U+FFFD). Never throws.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

/** Number of Unicode code points in `text` (what "characters" means for `metadata.title`). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const projectOrJobnetCharacter = /^[\p{L}\p{N}@+_-]$/u;
const resourceCharacter = /^[A-Za-z0-9_-]$/;
const copySuffixCharacter = /^[A-Za-z0-9-]$/;

/** Describes a character for a message: the character itself, or its code point when invisible. */
function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(character) ? `"${character}" (${hex})` : hex;
}

/**
 * Checks every character of `name` against `allowed`; returns the message for the first one that
 * does not match, giving its 1-based character position.
 */
function checkCharacters(name: string, allowed: RegExp, what: string, allowedText: string): NameCheck {
  let position = 0;
  for (const character of name) {
    position++;
    if (!allowed.test(character)) {
      return {
        ok: false,
        message: `${what} may contain only ${allowedText}; found ${describeCharacter(character)} at character ${position}`,
      };
    }
  }
  return { ok: true };
}

/**
 * Checks that `text` takes at most `maxBytes` bytes in UTF-8; the message gives the actual count.
 * `what` names the field in the message (e.g. "a job description").
 */
export function isWithinByteLimit(text: string, maxBytes: number, what: string): NameCheck {
  const bytes = utf8ByteLength(text);
  if (bytes > maxBytes) {
    return { ok: false, message: `${what} is ${bytes} bytes long in UTF-8; the limit is ${maxBytes} bytes` };
  }
  return { ok: true };
}

function checkLetterName(name: string, what: string, maxBytes: number): NameCheck {
  if (name.length === 0) return { ok: false, message: `${what} must not be empty` };
  const characters = checkCharacters(
    name,
    projectOrJobnetCharacter,
    what,
    'letters and digits of any script and "@", "+", "_", "-"',
  );
  if (!characters.ok) return characters;
  return isWithinByteLimit(name, maxBytes, what);
}

/**
 * R-REPO-4: a project or jobnet name is 1–50 bytes of letters and digits of any script (so
 * Japanese names are fine) and `@ + _ -`. The message names the first offending character or the
 * actual byte count.
 */
export function isProjectOrJobnetName(name: string): NameCheck {
  return checkLetterName(name, 'a project or jobnet name', nameLimits.jobnetNameBytes);
}

/**
 * R-REPO-4, R-JOBT-4: an event name has the character rules of a jobnet name and is 1–50 bytes;
 * pass `nameLimits.raisedEventNameBytes` (12) for the event a `raiseEvent` job raises.
 */
export function isEventName(name: string, maxBytes: number = nameLimits.eventNameBytes): NameCheck {
  return checkLetterName(name, 'an event name', maxBytes);
}

/**
 * R-REPO-4: a credential, calendar or variable name (also day patterns, environments, incident
 * policies and credential keys) is `[A-Za-z0-9_-]`, does not start with `-`, and is 1–64 bytes.
 */
export function isResourceName(name: string): NameCheck {
  const what = 'a credential, calendar or variable name';
  if (name.length === 0) return { ok: false, message: `${what} must not be empty` };
  const characters = checkCharacters(name, resourceCharacter, what, 'A-Z, a-z, 0-9, "_" and "-"');
  if (!characters.ok) return characters;
  if (name.startsWith('-')) return { ok: false, message: `${what} must not start with "-"` };
  return isWithinByteLimit(name, nameLimits.variableNameBytes, what);
}

/**
 * R-REPO-4: a job name is `[A-Za-z0-9_-]` and 1–64 bytes. (Uniqueness within the jobnet follows
 * from `jobs` being a map.)
 */
export function isJobName(name: string): NameCheck {
  const what = 'a job name';
  if (name.length === 0) return { ok: false, message: `${what} must not be empty` };
  const characters = checkCharacters(name, resourceCharacter, what, 'A-Z, a-z, 0-9, "_" and "-"');
  if (!characters.ok) return characters;
  return isWithinByteLimit(name, nameLimits.jobNameBytes, what);
}

/** R-JOBT-4, R-JN-3: a copy-start suffix is 1–30 characters of `[A-Za-z0-9-]`. */
export function isCopySuffix(suffix: string): NameCheck {
  const what = 'a copy-start suffix';
  if (suffix.length === 0) return { ok: false, message: `${what} must not be empty` };
  const characters = checkCharacters(suffix, copySuffixCharacter, what, 'A-Z, a-z, 0-9 and "-"');
  if (!characters.ok) return characters;
  return isWithinByteLimit(suffix, nameLimits.copySuffixBytes, what);
}

/** R-REPO-4: `metadata.title` is any text of at most 100 characters (code points). */
export function isTitle(title: string): NameCheck {
  const characters = codePointLength(title);
  if (characters > nameLimits.titleChars) {
    return {
      ok: false,
      message: `a title is ${characters} characters long; the limit is ${nameLimits.titleChars} characters`,
    };
  }
  return { ok: true };
}

/** R-REPO-4: `metadata.description` is any text of at most 1024 bytes in UTF-8. */
export function isDescription(description: string): NameCheck {
  return isWithinByteLimit(description, nameLimits.descriptionBytes, 'a description');
}
