import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  isCopySuffix,
  isDescription,
  isEventName,
  isJobName,
  isProjectOrJobnetName,
  isResourceName,
  isTitle,
  isWithinByteLimit,
  nameLimits,
  utf8ByteLength,
  type NameCheck,
} from '../../workflows/lib/name-rules.js';

function messageOf(check: NameCheck): string {
  return check.ok ? '' : check.message;
}

describe('utf8ByteLength counts UTF-8 bytes without an encoder', () => {
  it.each<[string, number]>([
    ['', 0],
    ['a', 1],
    ['daily-close', 11],
    ['é', 2],
    ['あ', 3],
    ['日次締め', 12],
    ['ｶﾅ', 6],
    ['😀', 4],
    ['a😀b', 6],
    ['\ud800', 3],
    ['\udc00x', 4],
    ['\ud800\ud800', 6],
  ])('%j is %i bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });

  it('agrees with TextEncoder on mixed text', () => {
    const encoder = new TextEncoder();
    for (const text of [
      '売上_daily@2027+q1',
      'Ünïcödé ✓ 𠮷野家',
      'tab\tnew\nline',
      '\u0000\u007f\u0080\u07ff\u0800\uffff',
    ]) {
      expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
    }
  });
});

describe('nameLimits carry the limits of R-REPO-4 and R-JOBT-4', () => {
  it('has the documented values', () => {
    expect(nameLimits).toEqual({
      projectNameBytes: 50,
      jobnetNameBytes: 50,
      eventNameBytes: 50,
      raisedEventNameBytes: 12,
      credentialNameBytes: 64,
      calendarNameBytes: 64,
      variableNameBytes: 64,
      jobNameBytes: 64,
      descriptionBytes: 1024,
      titleChars: 100,
      eventParameterBytes: 200,
      copySuffixBytes: 30,
    });
  });
});

describe('isProjectOrJobnetName (R-REPO-4)', () => {
  it.each(['sales', 'daily-close', '日次締め', '売上_2027@east+west', 'ｶﾅ', '１２３', 'a', '日'.repeat(16)])(
    'accepts %j',
    (name) => {
      expect(isProjectOrJobnetName(name)).toEqual({ ok: true });
    },
  );

  it.each<[string, string]>([
    ['', 'must not be empty'],
    ['daily close', 'found U+0020 at character 6'],
    ['a.b', 'found "." (U+002E) at character 2'],
    ['締め/日次', 'found "/" (U+002F) at character 3'],
    ['x\u0007', 'found U+0007 at character 2'],
    ['日'.repeat(17), '51 bytes long in UTF-8; the limit is 50 bytes'],
    ['a'.repeat(51), '51 bytes'],
  ])('refuses %j: %s', (name, message) => {
    expect(messageOf(isProjectOrJobnetName(name))).toContain(message);
  });

  it('accepts exactly 50 bytes of ASCII', () => {
    expect(isProjectOrJobnetName('a'.repeat(50)).ok).toBe(true);
  });
});

describe('isEventName (R-REPO-4, R-JOBT-4)', () => {
  it('allows 50 bytes by default and 12 bytes for a raised event', () => {
    expect(isEventName('FILE_READY').ok).toBe(true);
    expect(isEventName('イベント').ok).toBe(true);
    expect(isEventName('イベント', nameLimits.raisedEventNameBytes).ok).toBe(true);
    expect(messageOf(isEventName('イベント1', nameLimits.raisedEventNameBytes))).toContain('13 bytes');
    expect(messageOf(isEventName('ABCDEFGHIJKLM', nameLimits.raisedEventNameBytes))).toContain('the limit is 12 bytes');
    expect(messageOf(isEventName('A'.repeat(51)))).toContain('51 bytes');
    expect(messageOf(isEventName('A B'))).toContain('an event name may contain only');
  });
});

describe('isResourceName: credential, calendar and variable names (R-REPO-4)', () => {
  it.each(['aws-batch', '_private', 'REGION', 'a1_b-2', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(isResourceName(name)).toEqual({ ok: true });
  });

  it.each<[string, string]>([
    ['', 'must not be empty'],
    ['-leading', 'must not start with "-"'],
    ['a.b', 'found "." (U+002E) at character 2'],
    ['認証', 'found "認" (U+8A8D) at character 1'],
    ['a'.repeat(65), '65 bytes long in UTF-8; the limit is 64 bytes'],
  ])('refuses %j: %s', (name, message) => {
    expect(messageOf(isResourceName(name))).toContain(message);
  });
});

describe('isJobName (R-REPO-4)', () => {
  it.each(['submit', 'wait_1', '-dash-first', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(isJobName(name)).toEqual({ ok: true });
  });

  it.each<[string, string]>([
    ['', 'must not be empty'],
    ['ジョブ', 'a job name may contain only A-Z, a-z, 0-9, "_" and "-"; found "ジ" (U+30B8) at character 1'],
    ['a b', 'found U+0020 at character 2'],
    ['a'.repeat(65), '65 bytes'],
  ])('refuses %j: %s', (name, message) => {
    expect(messageOf(isJobName(name))).toContain(message);
  });
});

describe('isCopySuffix (R-JOBT-4)', () => {
  it('accepts 1–30 characters of [A-Za-z0-9-] and refuses the rest', () => {
    expect(isCopySuffix('copy-01').ok).toBe(true);
    expect(isCopySuffix('a'.repeat(30)).ok).toBe(true);
    expect(messageOf(isCopySuffix('a'.repeat(31)))).toContain('31 bytes');
    expect(messageOf(isCopySuffix('a_b'))).toContain('found "_"');
    expect(messageOf(isCopySuffix(''))).toContain('must not be empty');
  });
});

describe('free text: title in characters, description and parameters in bytes (R-REPO-4, R-JOBT-4)', () => {
  it('counts a title in code points', () => {
    expect(codePointLength('😀日a')).toBe(3);
    expect(isTitle('日'.repeat(100)).ok).toBe(true);
    expect(isTitle('😀'.repeat(100)).ok).toBe(true);
    expect(messageOf(isTitle('x'.repeat(101)))).toContain('101 characters long; the limit is 100 characters');
  });

  it('counts a description in bytes', () => {
    expect(isDescription('a'.repeat(1024)).ok).toBe(true);
    // 342 × 3 bytes = 1026 bytes, although only 342 characters.
    expect(messageOf(isDescription('説'.repeat(342)))).toContain('1026 bytes long in UTF-8; the limit is 1024 bytes');
  });

  it('checks a variable parameter against 200 bytes, naming the field', () => {
    expect(isWithinByteLimit('p'.repeat(200), nameLimits.eventParameterBytes, 'the variable parameter').ok).toBe(true);
    expect(
      messageOf(isWithinByteLimit('パ'.repeat(67), nameLimits.eventParameterBytes, 'the variable parameter')),
    ).toBe('the variable parameter is 201 bytes long in UTF-8; the limit is 200 bytes');
  });
});
