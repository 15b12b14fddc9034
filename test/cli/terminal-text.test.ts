/**
 * `printable`: every control character a terminal or CI log acts on becomes a visible escape, and
 * ordinary text — non-ASCII letters, emoji, backslashes — is left as it is.
 */
import { describe, expect, it } from 'vitest';
import { printable, printableLines } from '../../controller/cli/terminal-text.js';

describe('printable', () => {
  it.each([
    ['a newline and a carriage return', 'a\nb\rc\r\nd', 'a\\nb\\rc\\r\\nd'],
    ['a tab', 'a\tb', 'a\\tb'],
    ['ESC sequences (clear screen, colour)', '\u001b[2J\u001b[31mred', '\\x1b[2J\\x1b[31mred'],
    ['NUL, BEL, backspace and DEL', '\u0000\u0007\b\u007f', '\\x00\\x07\\x08\\x7f'],
    ['C1 controls (8-bit CSI, NEL, OSC)', '\u009b2J\u0085\u009d', '\\x9b2J\\x85\\x9d'],
    [
      'Unicode line separators and bidirectional controls',
      'a\u2028b\u2029c\u202ed\u2066e\u2069',
      'a\\u2028b\\u2029c\\u202ed\\u2066e\\u2069',
    ],
  ])('escapes %s', (_what, text, expected) => {
    expect(printable(text)).toBe(expected);
  });

  it('leaves ordinary text as it is', () => {
    const text = 'projects/デモ/jobnets/nightly.yaml: "value" \\n é 😀 ¡ÿ';
    expect(printable(text)).toBe(text);
  });

  it('is idempotent, so text escaped twice reads the same', () => {
    const once = printable('x\u001b[2J\ny');
    expect(printable(once)).toBe(once);
  });

  it('splits a multi-line text into printable lines', () => {
    expect(printableLines('one\r\ntwo\u001b[Kthree\rfour\nfive')).toEqual(['one', 'two\\x1b[Kthree\\rfour', 'five']);
  });
});
