/**
 * Text that comes from definitions, operators or services — file names, names, titles, messages,
 * job outputs — made safe to print on a terminal or in a CI log. Every control character is
 * written as a visible escape instead: C0 (`\n`, `\r`, `\t`, `\x1b` ESC, …), DEL (`\x7f`), C1
 * (`\x9b` CSI, …), and the Unicode line and paragraph separators and bidirectional controls
 * (`\u2028`, `\u202e`, …). A value then cannot start a line of its own (forging an `error` line),
 * move the cursor, clear the screen, recolour what follows, or reorder it visually.
 *
 * Pure. Apply it to each value before it is put into a line (or to each line of a multi-line
 * text, with {@link printableLines}), never to a whole rendered output — the renderer's own line
 * breaks and colours must stay — and not to JSON output, where JSON escaping already applies.
 * Backslashes are left as they are: `\n` in a printed value may be the two characters or an
 * escaped newline, which is only a matter of reading, never of layout.
 */

const shortEscapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Whether the UTF-16 unit is one of the characters escaped. */
function isEscaped(unit: number): boolean {
  return (
    unit <= 0x1f ||
    (unit >= 0x7f && unit <= 0x9f) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    (unit >= 0x202a && unit <= 0x202e) ||
    (unit >= 0x2066 && unit <= 0x2069)
  );
}

/** `text` with every control character as a visible escape (`\n`, `\x1b`, `\u202e`). */
export function printable(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (!isEscaped(unit)) continue;
    const character = text[i] as string;
    out +=
      text.slice(start, i) +
      (shortEscapes[character] ??
        (unit <= 0xff ? `\\x${unit.toString(16).padStart(2, '0')}` : `\\u${unit.toString(16)}`));
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** The lines of a multi-line text (`\n` or `\r\n` breaks), each {@link printable}. */
export function printableLines(text: string): string[] {
  return text.split(/\r?\n/).map(printable);
}
