import { describe, expect, it } from 'vitest';
import { compiledJob, type CompiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import type { CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';
import {
  eventRouteOf,
  eventRoutesOf,
  eventTargets,
  inScope,
  scopeProblem,
  type EventRoute,
  type EventScope,
} from '../../workflows/lib/event-routing.js';

// ---------------------------------------------------------------------------------------------
// Building compiled jobnets

/** A compiled jobnet: start events (if any) and jobs given as `name: waitEvent-name` or `name: null` (a sleep). */
function jobnet(
  project: string,
  name: string,
  options: { startEvents?: string[]; jobs?: Record<string, string | null> } = {},
): CompiledJobnet {
  const jobs: Record<string, CompiledJob> = {};
  for (const [job, event] of Object.entries(options.jobs ?? { nap: null })) {
    jobs[job] =
      event === null
        ? compiledJob({ name: job, type: 'sleep', spec: { seconds: 1 } })
        : compiledJob({ name: job, type: 'waitEvent', spec: { event } });
  }
  const compiled: CompiledJobnet = { project, name, revision: 'r1', jobs };
  if (options.startEvents !== undefined) {
    const schedule: CompiledSchedule = {
      enabled: true,
      days: { everyDay: true },
      dayPatterns: {},
      start: {
        events: {
          names: options.startEvents,
          mode: 'any',
          whileRunning: false,
          oncePerDay: false,
          startDaysOnly: false,
        },
      },
      catchUpWindowSeconds: 600,
      deadlines: {},
      requireConfirmation: false,
    };
    compiled.schedule = schedule;
  }
  return compiled;
}

const manualSchedule: CompiledSchedule = {
  enabled: true,
  days: { everyDay: true },
  dayPatterns: {},
  start: {},
  catchUpWindowSeconds: 600,
  deadlines: {},
  requireConfirmation: false,
};

// ---------------------------------------------------------------------------------------------

describe('eventRouteOf', () => {
  it.each<[string, CompiledJobnet, EventRoute | undefined]>([
    [
      'start events, sorted',
      jobnet('sales', 'daily-close', { startEvents: ['STOCK_IN', 'ORDERS_IN'] }),
      { project: 'sales', jobnet: 'daily-close', startEvents: ['ORDERS_IN', 'STOCK_IN'], waitEvents: [] },
    ],
    [
      'waitEvent jobs, sorted and without duplicates',
      jobnet('sales', 'report', { jobs: { 'wait-b': 'GO', 'wait-a': 'DATA', 'wait-c': 'GO', nap: null } }),
      { project: 'sales', jobnet: 'report', startEvents: [], waitEvents: ['DATA', 'GO'] },
    ],
    [
      'both: an event may be waited for either way',
      jobnet('sales', 'both', { startEvents: ['GO'], jobs: { wait: 'GO' } }),
      { project: 'sales', jobnet: 'both', startEvents: ['GO'], waitEvents: ['GO'] },
    ],
    ['no schedule and no waitEvent job: no route', jobnet('sales', 'quiet'), undefined],
    [
      'a manual schedule and no waitEvent job: no route',
      { ...jobnet('sales', 'manual'), schedule: manualSchedule },
      undefined,
    ],
  ])('%s', (_case, compiled, route) => {
    expect(eventRouteOf(compiled)).toStrictEqual(route);
  });

  it('does not reorder the compiled definition it reads', () => {
    const compiled = jobnet('sales', 'daily-close', { startEvents: ['STOCK_IN', 'ORDERS_IN'] });
    eventRouteOf(compiled);
    expect(compiled.schedule?.start.events?.names).toEqual(['STOCK_IN', 'ORDERS_IN']);
  });
});

describe('eventRoutesOf', () => {
  it('keeps the jobnets that wait for events, sorted by project, then jobnet', () => {
    const routes = eventRoutesOf([
      jobnet('sales', 'zeta', { startEvents: ['A'] }),
      jobnet('infra', 'quiet'),
      jobnet('sales', 'alpha', { jobs: { wait: 'B' } }),
      jobnet('infra', 'probe', { startEvents: ['C'] }),
      jobnet('Sales', 'upper', { startEvents: ['D'] }), // code-unit order: upper case first
    ]);
    expect(routes.map((route) => `${route.project}/${route.jobnet}`)).toEqual([
      'Sales/upper',
      'infra/probe',
      'sales/alpha',
      'sales/zeta',
    ]);
  });

  it('is empty for no jobnets', () => {
    expect(eventRoutesOf([])).toEqual([]);
  });
});

describe('scopeProblem (R-EVT-1)', () => {
  it.each<[EventScope, string | undefined]>([
    [{}, undefined],
    [{ project: 'sales' }, undefined],
    [{ project: 'sales', jobnet: 'daily-close' }, undefined],
  ])('%j is a valid scope', (scope, problem) => {
    expect(scopeProblem(scope)).toBe(problem);
  });

  it('refuses a jobnet without its project', () => {
    expect(scopeProblem({ jobnet: 'daily-close' })).toMatch(/needs its project too/);
  });
});

describe('inScope', () => {
  const route = { project: 'sales', jobnet: 'daily-close' };
  it.each<[EventScope, boolean]>([
    [{}, true],
    [{ project: 'sales' }, true],
    [{ project: 'infra' }, false],
    [{ project: 'sales', jobnet: 'daily-close' }, true],
    [{ project: 'sales', jobnet: 'report' }, false],
    [{ project: 'infra', jobnet: 'daily-close' }, false],
  ])('sales/daily-close in %j: %s', (scope, expected) => {
    expect(inScope(route, scope)).toBe(expected);
  });
});

describe('eventTargets (R-EVT-1)', () => {
  const routes = eventRoutesOf([
    jobnet('sales', 'daily-close', { startEvents: ['ORDERS_IN', 'STOCK_IN'] }),
    jobnet('sales', 'report', { jobs: { wait: 'ORDERS_IN' } }),
    jobnet('sales', 'other', { startEvents: ['OTHER'] }),
    jobnet('infra', 'mirror', { startEvents: ['ORDERS_IN'] }),
    jobnet('infra', 'listener', { jobs: { wait: 'STOCK_IN' } }),
  ]);
  const targets = (event: string, scope: EventScope) =>
    eventTargets(routes, event, scope).map((route) => `${route.project}/${route.jobnet}`);

  it.each<[string, string, EventScope, string[]]>([
    [
      'unscoped: every jobnet waiting for it, in route order',
      'ORDERS_IN',
      {},
      ['infra/mirror', 'sales/daily-close', 'sales/report'],
    ],
    ['unscoped: start events and waitEvent jobs alike', 'STOCK_IN', {}, ['infra/listener', 'sales/daily-close']],
    ['project scope: only that project', 'ORDERS_IN', { project: 'sales' }, ['sales/daily-close', 'sales/report']],
    ['project scope: a waitEvent job', 'STOCK_IN', { project: 'infra' }, ['infra/listener']],
    ['project+jobnet scope: only that jobnet', 'ORDERS_IN', { project: 'sales', jobnet: 'report' }, ['sales/report']],
    ['project+jobnet scope of a jobnet not waiting for it', 'ORDERS_IN', { project: 'sales', jobnet: 'other' }, []],
    ['an event nobody waits for', 'NOBODY', {}, []],
    ['a project without such jobnets', 'OTHER', { project: 'infra' }, []],
    ['event names are exact (case-sensitive)', 'orders_in', {}, []],
  ])('%s (%s in %j)', (_case, event, scope, expected) => {
    expect(targets(event, scope)).toEqual(expected);
  });
});
