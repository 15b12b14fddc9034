/**
 * Field-level diffs of compiled jobnets (R-GIT-5): JSON-pointer paths, compact values, a long list
 * of plain values compared as a set, bookkeeping fields (revision, digest) ignored, and an order
 * that does not depend on key order.
 */
import { describe, expect, it } from 'vitest';
import { jobnetDigest } from '../../controller/compile/jobnet-digest.js';
import {
  compactValue,
  diffJobnets,
  diffValues,
  touches,
  type FieldChange,
} from '../../controller/reconcile/definition-diff.js';
import { compiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';

const holidays = ['2027-01-01', '2027-01-11', '2027-02-11', '2027-02-23', '2027-03-22'];

interface Case {
  name: string;
  before: unknown;
  after: unknown;
  changes: FieldChange[];
}

const cases: Case[] = [
  { name: 'equal values: no change', before: { a: [1, { b: 'x' }] }, after: { a: [1, { b: 'x' }] }, changes: [] },
  {
    name: 'equal up to key order: no change',
    before: { a: 1, b: { c: 2, d: 3 } },
    after: { b: { d: 3, c: 2 }, a: 1 },
    changes: [],
  },
  {
    name: 'a changed scalar',
    before: { a: { b: 1 } },
    after: { a: { b: 2 } },
    changes: [{ path: '/a/b', before: '1', after: '2' }],
  },
  {
    name: 'an added field has no before',
    before: { a: 1 },
    after: { a: 1, b: 'new' },
    changes: [{ path: '/b', after: '"new"' }],
  },
  {
    name: 'a removed field has no after',
    before: { a: 1, b: { c: true } },
    after: { a: 1 },
    changes: [{ path: '/b', before: '{"c":true}' }],
  },
  {
    name: 'a field that changes type',
    before: { a: 'text' },
    after: { a: { b: 1 } },
    changes: [{ path: '/a', before: '"text"', after: '{"b":1}' }],
  },
  {
    name: 'a short list of plain values is one field',
    before: { at: ['22:00'] },
    after: { at: ['21:30', '22:30'] },
    changes: [{ path: '/at', before: '["22:00"]', after: '["21:30","22:30"]' }],
  },
  {
    name: 'a long list of plain values is compared as a set: only removed and added items',
    before: { holidays },
    after: { holidays: [...holidays.slice(1), '2027-02-25'] },
    changes: [{ path: '/holidays', before: '["2027-01-01"]', after: '["2027-02-25"]', items: true }],
  },
  {
    name: 'a long list that only changes order is shown whole',
    before: { holidays },
    after: { holidays: [...holidays].reverse() },
    changes: [{ path: '/holidays', before: compactValue(holidays), after: compactValue([...holidays].reverse()) }],
  },
  {
    name: 'a long list with repeated items is not a set and is shown whole',
    before: { list: [...holidays, holidays[0]] },
    after: { list: holidays },
    changes: [{ path: '/list', before: compactValue([...holidays, holidays[0]]), after: compactValue(holidays) }],
  },
  {
    name: 'lists of objects are compared item by item; extra items are added or removed',
    before: { edges: [{ job: 'a' }, { job: 'b' }] },
    after: { edges: [{ job: 'a' }, { job: 'c' }, { job: 'd' }] },
    changes: [
      { path: '/edges/1/job', before: '"b"', after: '"c"' },
      { path: '/edges/2', after: '{"job":"d"}' },
    ],
  },
  {
    name: 'keys are escaped as JSON pointer tokens',
    before: { header: { 'a/b': '1', 'c~d': '1' } },
    after: { header: { 'a/b': '2', 'c~d': '2' } },
    changes: [
      { path: '/header/a~1b', before: '"1"', after: '"2"' },
      { path: '/header/c~0d', before: '"1"', after: '"2"' },
    ],
  },
  {
    name: 'keys come in code-unit order, not in the order written',
    before: { b: 1, a: 1, C: 1 },
    after: { a: 2, b: 2, C: 2 },
    changes: [
      { path: '/C', before: '1', after: '2' },
      { path: '/a', before: '1', after: '2' },
      { path: '/b', before: '1', after: '2' },
    ],
  },
];

describe('diffValues', () => {
  for (const entry of cases) {
    it(entry.name, () => {
      expect(diffValues(entry.before, entry.after)).toEqual(entry.changes);
    });
  }

  it('cuts long values at 80 characters with an ellipsis', () => {
    const [change] = diffValues({ body: 'x'.repeat(200) }, { body: 'y' });
    expect(change?.before).toHaveLength(80);
    expect(change?.before?.endsWith('…')).toBe(true);
    expect(change?.after).toBe('"y"');
  });
});

describe('compactValue', () => {
  it('is canonical JSON: keys sorted, no whitespace', () => {
    expect(compactValue({ b: [1, 2], a: { d: null, c: 'x' } })).toBe('{"a":{"c":"x","d":null},"b":[1,2]}');
  });
});

function jobnet(overrides: Partial<CompiledJobnet> = {}): CompiledJobnet {
  const base: CompiledJobnet = {
    project: 'ops',
    name: 'nightly',
    revision: 'a'.repeat(40),
    jobs: {
      submit: compiledJob({
        name: 'submit',
        type: 'rest',
        spec: {
          request: { url: 'https://batch.example.com/v1/jobs', method: 'POST', timeout: 10 },
          outputLimitBytes: 1024,
        },
      }),
      wait: compiledJob({ name: 'wait', type: 'sleep', predecessors: [{ job: 'submit' }], spec: { seconds: 600 } }),
    },
    variables: { REGION: 'ap-northeast-1' },
    ...overrides,
  };
  return { ...base, digest: jobnetDigest(base) };
}

describe('diffJobnets', () => {
  it('finds nothing between two revisions of the same content (revision and digest are bookkeeping)', () => {
    expect(diffJobnets(jobnet(), jobnet({ revision: 'b'.repeat(40) }))).toEqual([]);
  });

  it('points into jobs, specs and requests', () => {
    const after = jobnet();
    after.jobs = {
      ...after.jobs,
      submit: compiledJob({
        name: 'submit',
        type: 'rest',
        spec: {
          request: { url: 'https://batch.example.com/v2/jobs', method: 'POST', timeout: 10 },
          outputLimitBytes: 1024,
        },
      }),
    };
    expect(diffJobnets(jobnet(), after)).toEqual([
      {
        path: '/jobs/submit/spec/request/url',
        before: '"https://batch.example.com/v1/jobs"',
        after: '"https://batch.example.com/v2/jobs"',
      },
    ]);
  });

  it('shows added and removed jobs as whole values', () => {
    const after = jobnet();
    const { wait: _wait, ...rest } = after.jobs;
    after.jobs = { ...rest, notify: compiledJob({ name: 'notify', type: 'sleep', spec: { seconds: 1 } }) };
    const changes = diffJobnets(jobnet(), after);
    expect(
      changes.map((c) => [c.path, c.before === undefined ? 'added' : c.after === undefined ? 'removed' : 'changed']),
    ).toEqual([
      ['/jobs/notify', 'added'],
      ['/jobs/wait', 'removed'],
    ]);
    expect(changes[0]?.after).toMatch(/^\{"alwaysNormal":false,/);
  });

  it('lists top-level fields in reading order: title, variables, schedule, jobs, children', () => {
    const before = jobnet();
    const after = jobnet({
      title: 'Nightly',
      variables: { REGION: 'us-east-1' },
      schedule: {
        enabled: true,
        days: { everyDay: true },
        dayPatterns: {},
        start: { at: ['22:00'] },
        catchUpWindowSeconds: 600,
        deadlines: {},
        requireConfirmation: false,
      },
      jobs: {
        ...before.jobs,
        wait: compiledJob({ name: 'wait', type: 'sleep', predecessors: [{ job: 'submit' }], spec: { seconds: 60 } }),
      },
    });
    expect(diffJobnets(before, after).map((c) => c.path)).toEqual([
      '/title',
      '/variables/REGION',
      '/schedule',
      '/jobs/wait/spec/seconds',
    ]);
  });

  it('diffs children by name, ignoring their digests and revisions', () => {
    const child = (seconds: number, revision: string): CompiledJobnet => {
      const body: CompiledJobnet = {
        project: 'ops',
        name: 'child',
        revision,
        jobs: { nap: compiledJob({ name: 'nap', type: 'sleep', spec: { seconds } }) },
      };
      return { ...body, digest: jobnetDigest(body) };
    };
    const before = jobnet({ children: { child: child(1, 'a'.repeat(40)) } });
    const after = jobnet({ children: { child: child(2, 'b'.repeat(40)) } });
    expect(diffJobnets(before, after)).toEqual([
      { path: '/children/child/jobs/nap/spec/seconds', before: '1', after: '2' },
    ]);
    expect(diffJobnets(before, jobnet({ children: { child: child(1, 'b'.repeat(40)) } }))).toEqual([]);
  });
});

describe('touches', () => {
  it('matches a path and everything below it, not siblings that share a prefix', () => {
    const changes: FieldChange[] = [{ path: '/schedule/start/at', before: '[]', after: '[]' }];
    expect(touches(changes, ['/schedule/start'])).toBe(true);
    expect(touches(changes, ['/schedule/start/at'])).toBe(true);
    expect(touches(changes, ['/schedule/st'])).toBe(false);
    expect(touches(changes, ['/calendar'])).toBe(false);
  });
});
