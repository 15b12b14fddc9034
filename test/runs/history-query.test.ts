/**
 * The pure parts of run history (R-OPS-5): the visibility query of each filter, the cursor bound to
 * its query, the listing order, `--from`/`--to` bounds in a zone, and CSV in Shift_JIS with what
 * has no Shift_JIS code counted.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../controller/cli/cli-errors.js';
import { parseWindowBound } from '../../controller/cli/times.js';
import { encodeCsv, historyListCsv, unmappedWarning } from '../../controller/runs/history-csv.js';
import {
  HistoryCursorError,
  compareHistoryOrder,
  decodeHistoryCursor,
  encodeHistoryCursor,
  historyVisibilityQuery,
} from '../../controller/runs/history-query.js';
import { searchAttributeNames, visibilityLiteral, workflowTypes } from '../../workflows/lib/wire-contract.js';

describe('the history visibility query', () => {
  it('covers the top-level runs of the deployment, narrowed by every filter', () => {
    const query = historyVisibilityQuery('prod', {
      projects: ["o'brien", 'sales'],
      jobnet: 'daily',
      status: 'abended',
      trigger: 'retry',
      startedFrom: Date.UTC(2026, 10, 23),
      startedBefore: Date.UTC(2026, 10, 24),
    });
    expect(query).toBe(
      [
        `WorkflowType = ${visibilityLiteral(workflowTypes.run)}`,
        `TaskQueue = 'prod'`,
        `${searchAttributeNames.project} IN ('o\\'brien', 'sales')`,
        `${searchAttributeNames.name} = 'daily'`,
        `${searchAttributeNames.runStatus} = 'abended'`,
        `${searchAttributeNames.trigger} = 'retry'`,
        `StartTime >= '2026-11-23T00:00:00.000Z'`,
        `StartTime < '2026-11-24T00:00:00.000Z'`,
      ].join(' AND '),
    );
    expect(historyVisibilityQuery('prod', { projects: 'all' })).toContain(
      `${searchAttributeNames.project} IS NOT NULL`,
    );
    expect(historyVisibilityQuery('prod', { projects: [] })).toBeUndefined();
  });

  it('binds a cursor to its query and refuses forged ones', () => {
    const query = historyVisibilityQuery('prod', { projects: 'all' }) as string;
    const token = Buffer.from('{"CloseTime":"x"}');
    const cursor = encodeHistoryCursor(query, token);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(decodeHistoryCursor(query, cursor)).toString()).toBe('{"CloseTime":"x"}');
    const other = historyVisibilityQuery('prod', { projects: 'all', status: 'normal' }) as string;
    expect(() => decodeHistoryCursor(other, cursor)).toThrow(/other filters/);
    for (const forged of ['', 'not base64!', 'bm90LWpzb24', encodeHistoryCursor(query, Buffer.from('binary'))])
      expect(() => decodeHistoryCursor(query, forged)).toThrow(HistoryCursorError);
  });

  it('orders open runs first, then by finish and start, newest first', () => {
    const runs = [
      { id: 'a', started: '2026-11-23T01:00:00.000Z', finished: '2026-11-23T09:00:00.000Z' },
      { id: 'b', started: '2026-11-23T05:00:00.000Z', finished: '2026-11-23T06:00:00.000Z' },
      { id: 'c', started: '2026-11-22T05:00:00.000Z' },
      { id: 'd', started: '2026-11-23T05:00:00.000Z' },
    ];
    expect(runs.sort(compareHistoryOrder).map((run) => run.id)).toEqual(['d', 'c', 'a', 'b']);
  });
});

describe('--from and --to', () => {
  it('reads wall-clock times in the zone, instants with their offset, and a date alone as the whole day', () => {
    expect(parseWindowBound('--from', '2026-11-23 09:00:00', 'Asia/Tokyo', 'from')).toBe(Date.UTC(2026, 10, 23, 0));
    expect(parseWindowBound('--to', '2026-11-23 09:00:00', 'Asia/Tokyo', 'to')).toBe(Date.UTC(2026, 10, 23, 0) + 1);
    expect(parseWindowBound('--from', '2026-11-23', 'UTC', 'from')).toBe(Date.UTC(2026, 10, 23));
    expect(parseWindowBound('--to', '2026-11-23', 'UTC', 'to')).toBe(Date.UTC(2026, 10, 24));
    expect(parseWindowBound('--from', '2026-11-23T09:00:00+09:00', 'UTC', 'from')).toBe(Date.UTC(2026, 10, 23, 0));
    expect(() => parseWindowBound('--from', '2026-13-01', 'UTC', 'from')).toThrow(UsageError);
    expect(() => parseWindowBound('--to', 'yesterday', 'UTC', 'to')).toThrow(/--to must be ISO 8601/);
  });
});

describe('CSV in Shift_JIS', () => {
  it('decodes to the Japanese text, look-alikes mapped and characters without a code written as ? and counted', () => {
    const text = historyListCsv(
      [
        {
          id: 'run/1',
          project: '販売',
          jobnet: '日次〜締め𠮷😀',
          businessDate: '2026-11-23',
          trigger: 'manual',
          status: 'normal',
          started: '2026-11-23T00:00:00.000Z',
          open: false,
          revision: 'abc, "quoted"',
        },
      ],
      'Asia/Tokyo',
    );
    const encoded = encodeCsv(text, 'sjis');
    const decoded = new TextDecoder('shift_jis').decode(encoded.bytes);
    expect(decoded).toBe(
      'id,project,jobnet,business date,trigger,status,started,finished,revision,retry of\r\n' +
        'run/1,販売,日次～締め??,2026-11-23,manual,normal,2026-11-23 09:00:00+09:00,,"abc, ""quoted""",\r\n',
    );
    expect(encoded.unmapped).toEqual({ count: 2, characters: ['𠮷', '😀'] });
    expect(unmappedWarning(encoded.unmapped)).toContain('2 character(s) have no Shift_JIS code');
    expect(encodeCsv(text, 'utf8').bytes.toString('utf8')).toBe(text);
  });
});
