import { describe, expect, it } from 'vitest';
import {
  evaluateExtractKey,
  extractKeyMaxBytes,
  formatExtractedValue,
  parseExtractKey,
  takeoverTokens,
  type ExtractStep,
} from '../../workflows/lib/extract-key.js';

/** Parses a key that must be valid; fails the test with the parser's message otherwise. */
function stepsOf(key: string): ExtractStep[] {
  const parsed = parseExtractKey(key);
  if (!parsed.ok) throw new Error(`unexpected parse error at ${parsed.offset}: ${parsed.message}`);
  return parsed.steps;
}

/** Steps without their source positions, for compact expectations. */
function shapeOf(key: string): unknown[] {
  return stepsOf(key).map((step) => {
    if (step.kind === 'key') return ['key', step.name];
    if (step.kind === 'index') return ['index', step.index];
    return ['filter', step.key, step.value];
  });
}

describe('parseExtractKey accepts every form of the R-REST-4 grammar', () => {
  it.each<[string, unknown[]]>([
    ['id', [['key', 'id']]],
    [
      'a.b.c',
      [
        ['key', 'a'],
        ['key', 'b'],
        ['key', 'c'],
      ],
    ],
    [
      'list.[2].x',
      [
        ['key', 'list'],
        ['index', 2],
        ['key', 'x'],
      ],
    ],
    [
      'data.[0].[6]',
      [
        ['key', 'data'],
        ['index', 0],
        ['index', 6],
      ],
    ],
    [
      '[0].name',
      [
        ['index', 0],
        ['key', 'name'],
      ],
    ],
    [
      'statuses.[0].displayStatus',
      [
        ['key', 'statuses'],
        ['index', 0],
        ['key', 'displayStatus'],
      ],
    ],
    [
      'properties.[?"name"=="bbb"].rc',
      [
        ['key', 'properties'],
        ['filter', 'name', 'bbb'],
        ['key', 'rc'],
      ],
    ],
    [
      'list.[?"rc"==0].x',
      [
        ['key', 'list'],
        ['filter', 'rc', 0],
        ['key', 'x'],
      ],
    ],
    [
      'list.[?"v"==-1.5]',
      [
        ['key', 'list'],
        ['filter', 'v', -1.5],
      ],
    ],
    [
      'rows.[?"a"==1].[?"b"=="c"].[3]',
      [
        ['key', 'rows'],
        ['filter', 'a', 1],
        ['filter', 'b', 'c'],
        ['index', 3],
      ],
    ],
    [
      '結果.状態',
      [
        ['key', '結果'],
        ['key', '状態'],
      ],
    ],
    [
      'with space.and"quote',
      [
        ['key', 'with space'],
        ['key', 'and"quote'],
      ],
    ],
    [
      'list.[?"host"=="a.b=c"].id',
      [
        ['key', 'list'],
        ['filter', 'host', 'a.b=c'],
        ['key', 'id'],
      ],
    ],
    [
      'jobs.[?"jobId"=="<JOBID>"].status',
      [
        ['key', 'jobs'],
        ['filter', 'jobId', '<JOBID>'],
        ['key', 'status'],
      ],
    ],
    [
      'runs.<RunId>.state',
      [
        ['key', 'runs'],
        ['key', '<RunId>'],
        ['key', 'state'],
      ],
    ],
  ])('%s', (key, expected) => {
    expect(shapeOf(key)).toEqual(expected);
  });

  it('records where each step starts and how it was written', () => {
    expect(stepsOf('a.[?"k"=="v"].[12]')).toEqual([
      { kind: 'key', name: 'a', source: 'a', offset: 0 },
      { kind: 'filter', key: 'k', value: 'v', source: '[?"k"=="v"]', offset: 2 },
      { kind: 'index', index: 12, source: '[12]', offset: 14 },
    ]);
  });

  it(`accepts a key of exactly ${extractKeyMaxBytes} bytes`, () => {
    expect(parseExtractKey('a'.repeat(1024)).ok).toBe(true);
  });
});

describe('parseExtractKey reports the offset where something else was expected', () => {
  it.each<[string, number, string]>([
    ['', 0, 'expected a key name or "[" at the start of the key'],
    ['.a', 0, 'expected a key name or "[" at the start of the key'],
    ['a.', 2, 'after the final "."'],
    ['a..b', 2, 'between two "."'],
    ['a.[0', 4, 'expected "]" to close the "[" at offset 2'],
    ['a.[0.b', 4, 'expected "]" to close the "[" at offset 2'],
    ['a.[?"k"=="v"', 12, 'expected "]" to close the "[" at offset 2'],
    ['a.[?"k"="v"]', 7, 'expected "==" after the filter key "k"'],
    ['a.[?"k"]', 7, 'expected "=="'],
    ['a.[?k=="v"]', 4, 'expected a double-quoted key name after "[?"'],
    ['a.[?"k==1]', 10, `expected a closing '"' for the string opened at offset 4`],
    ['a.[?"k"=="v]', 12, `expected a closing '"' for the string opened at offset 9`],
    ['a.[?""==1]', 5, 'expected a key name between the quotes'],
    ['a.[?"k"==bbb]', 9, 'expected a number or a double-quoted string after "=="'],
    ['a.[x]', 3, 'expected a list index (digits) or "?" after "["'],
    ['a.[-1]', 3, 'expected a list index (digits) or "?" after "["'],
    ['a.[]', 3, 'expected a list index (digits) or "?" after "["'],
    ['a.[99999999999999999999]', 3, 'list index is too large'],
    ['list[0]', 4, '"[" must start its own segment: write "list.[…]"'],
    ['a]', 1, 'unexpected "]"'],
    ['a=b', 1, '"=" is not allowed in a key name'],
    ['a.[0]b', 5, 'expected "." or the end of the key after "]"'],
    ['a.[0].', 6, 'after the final "."'],
  ])('%j → offset %i', (key, offset, message) => {
    const parsed = parseExtractKey(key);
    expect(parsed).toMatchObject({ ok: false, offset });
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });

  it('explains that a takeover token cannot stand for a number', () => {
    for (const key of ['jobs.[?"id"==<N>].x', 'rows.[<I>].x']) {
      const parsed = parseExtractKey(key);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.message).toContain('[?"id"=="<NAME>"]');
    }
  });

  it('refuses keys over 1024 bytes, pointing at the character that passes the limit', () => {
    expect(parseExtractKey('a'.repeat(1025))).toMatchObject({ ok: false, offset: 1024 });
    // 342 × "あ" = 1026 bytes; the first 341 take 1023 bytes, so the 342nd (offset 341) passes 1024.
    const parsed = parseExtractKey('あ'.repeat(342));
    expect(parsed).toMatchObject({ ok: false, offset: 341 });
    expect(parsed.ok ? '' : parsed.message).toContain('1026 bytes');
  });
});

describe('evaluateExtractKey on the worked example of WOI 8.3.1', () => {
  const response: unknown = JSON.parse(
    '{"id":"id001","info":{"hoge":"fuga"},"properties":[{"name":"aaa","rc":2},{"name":"bbb","rc":0}]}',
  );

  it.each<[string, unknown]>([
    ['id', 'id001'],
    ['info.hoge', 'fuga'],
    ['properties.[?"name"=="bbb"].rc', 0],
    ['properties.[1].rc', 0],
    ['properties.[0].rc', 2],
    ['properties.[?"rc"==2].name', 'aaa'],
    ['info', { hoge: 'fuga' }],
    ['properties.[?"name"=="aaa"]', { name: 'aaa', rc: 2 }],
  ])('%s', (key, expected) => {
    expect(evaluateExtractKey(stepsOf(key), response)).toEqual({ found: true, value: expected });
  });

  it.each<[string, string]>([
    ['missing', 'missing'],
    ['info.other', 'info.other'],
    ['properties.[5].rc', 'properties.[5]'],
    ['properties.[?"name"=="zzz"].rc', 'properties.[?"name"=="zzz"]'],
    ['properties.[?"rc"=="x"].name', 'properties.[?"rc"=="x"]'],
    ['properties.[0].missing', 'properties.[0].missing'],
    ['info.hoge.deeper', 'info.hoge.deeper'],
    ['id.[0]', 'id.[0]'],
    ['info.[?"hoge"=="fuga"]', 'info.[?"hoge"=="fuga"]'],
    ['properties.name', 'properties.name'],
  ])('%s is not found, at %s', (key, at) => {
    expect(evaluateExtractKey(stepsOf(key), response)).toEqual({ found: false, at });
  });
});

describe('evaluateExtractKey details', () => {
  it('chains indexes (Snowflake data.[0].[6])', () => {
    const body = { data: [['a', 'b', 'c', 'd', 'e', 'f', 'SUCCEEDED']] };
    expect(evaluateExtractKey(stepsOf('data.[0].[6]'), body)).toEqual({ found: true, value: 'SUCCEEDED' });
  });

  it('takes the first element that matches a filter', () => {
    const body = {
      jobs: [
        { id: 'x', n: 1 },
        { id: 'y', n: 2 },
        { id: 'y', n: 3 },
      ],
    };
    expect(evaluateExtractKey(stepsOf('jobs.[?"id"=="y"].n'), body)).toEqual({ found: true, value: 2 });
  });

  it('skips list elements that are not objects or lack the filter key', () => {
    const body = { list: [null, 'text', 7, { other: 1 }, { k: 'v', hit: true }] };
    expect(evaluateExtractKey(stepsOf('list.[?"k"=="v"].hit'), body)).toEqual({ found: true, value: true });
  });

  it('matches a number literal against decimal text (XML leaves are text)', () => {
    const body = {
      items: [
        { code: '16', name: 'stopped' },
        { code: '80', name: 'running' },
      ],
    };
    expect(evaluateExtractKey(stepsOf('items.[?"code"==80].name'), body)).toEqual({ found: true, value: 'running' });
    expect(evaluateExtractKey(stepsOf('items.[?"code"==8].name'), body)).toEqual({
      found: false,
      at: 'items.[?"code"==8]',
    });
  });

  it('matches a quoted literal against a number with the same text, so "<NAME>" can stand for a number', () => {
    const body = {
      jobs: [
        { id: 41, s: 'a' },
        { id: 42, s: 'b' },
      ],
    };
    expect(evaluateExtractKey(stepsOf('jobs.[?"id"=="42"].s'), body)).toEqual({ found: true, value: 'b' });
  });

  it('does not match a number literal against a boolean or a quoted literal against an object', () => {
    const body = { l: [{ k: true }, { k: { x: 1 } }] };
    expect(evaluateExtractKey(stepsOf('l.[?"k"==1]'), body).found).toBe(false);
    expect(evaluateExtractKey(stepsOf('l.[?"k"=="[object Object]"]'), body).found).toBe(false);
    expect(evaluateExtractKey(stepsOf('l.[?"k"=="true"]'), body)).toEqual({ found: true, value: { k: true } });
  });

  it('finds a property whose value is null', () => {
    expect(evaluateExtractKey(stepsOf('a.b'), { a: { b: null } })).toEqual({ found: true, value: null });
  });

  it('finds only own properties, never inherited ones', () => {
    expect(evaluateExtractKey(stepsOf('constructor'), {})).toEqual({ found: false, at: 'constructor' });
    expect(evaluateExtractKey(stepsOf('a.[?"toString"=="x"]'), { a: [{}] }).found).toBe(false);
  });

  it('addresses Japanese keys', () => {
    expect(
      evaluateExtractKey(stepsOf('結果.[?"名前"=="締め"].状態'), { 結果: [{ 名前: '締め', 状態: '完了' }] }),
    ).toEqual({
      found: true,
      value: '完了',
    });
  });

  it('evaluates a key after its takeover token was substituted', () => {
    const written = 'jobs.[?"jobId"=="<JOBID>"].status';
    expect(takeoverTokens(written)).toEqual(['JOBID']);
    const body = {
      jobs: [
        { jobId: 'j-1', status: 'RUNNING' },
        { jobId: 'j-2', status: 'SUCCEEDED' },
      ],
    };
    const substituted = written.replace('<JOBID>', 'j-2');
    expect(evaluateExtractKey(stepsOf(substituted), body)).toEqual({ found: true, value: 'SUCCEEDED' });
  });
});

describe('formatExtractedValue gives the text compared with pollingEndVal and printed as NAME=VALUE', () => {
  it.each<[unknown, string]>([
    ['SUCCEEDED', 'SUCCEEDED'],
    ['', ''],
    [0, '0'],
    [2.5, '2.5'],
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
    [{ a: 1, b: [1, 'x'] }, '{"a":1,"b":[1,"x"]}'],
    [[1, 2], '[1,2]'],
    ['完了', '完了'],
    [undefined, ''],
  ])('%j → %j', (value, text) => {
    expect(formatExtractedValue(value)).toBe(text);
  });
});
