/**
 * The plan report and its Markdown (R-GIT-5), from real compiled jobnets: the fixture repository
 * test/fixtures/plan/base/ and the same with the pull request of test/fixtures/plan/head/ laid
 * over it (one schedule change, a new holiday, one jobnet added, one removed). Next starts and
 * moved start days come from the scheduler's own functions; `now` is fixed, so the report is too.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAllJobnets } from '../../controller/compile/compile-jobnet.js';
import { readDirectorySnapshot, type RepositorySnapshot } from '../../controller/definitions/repository-snapshot.js';
import { validateSnapshot } from '../../controller/definitions/validate-repository.js';
import { describePlan, type JobnetReport, type PlanReport } from '../../controller/reconcile/plan-report.js';
import { planReconcile, type ObservedJobnet } from '../../controller/reconcile/plan.js';
import { planCommentMarker, renderPlanMarkdown } from '../../controller/reconcile/render-plan.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'plan');
const now = '2027-01-10T00:00:00Z';
const sides = {
  base: { label: 'main', revision: 'a'.repeat(40) },
  head: { label: 'feature', revision: 'b'.repeat(40) },
};

/** The base fixture with the head fixture's files laid over it and `removed` taken out. */
async function headSnapshot(removed: readonly string[]): Promise<RepositorySnapshot> {
  const base = await readDirectorySnapshot(path.join(fixtures, 'base'));
  const head = await readDirectorySnapshot(path.join(fixtures, 'head'));
  const files = new Map(base.files.map((file) => [file.path, file]));
  for (const file of head.files) files.set(file.path, file);
  for (const file of removed) files.delete(file);
  return { files: [...files.values()] };
}

function compiled(snapshot: RepositorySnapshot, revision: string): CompiledJobnet[] {
  const validated = validateSnapshot({ ...snapshot, revision });
  expect(validated.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`)).toEqual([]);
  const result = compileAllJobnets(validated.value);
  if (!result.ok) throw new Error(result.message);
  expect(result.failures).toEqual([]);
  return result.jobnets;
}

/** A repository snapshot from file texts. */
function snapshotOf(files: Record<string, string>): RepositorySnapshot {
  return {
    files: Object.entries(files).map(([file, text]) => ({ path: file, bytes: new TextEncoder().encode(text) })),
  };
}

function asObserved(jobnets: readonly CompiledJobnet[], extra: Partial<ObservedJobnet> = {}): ObservedJobnet[] {
  return jobnets.map((jobnet) => ({
    project: jobnet.project,
    name: jobnet.name,
    digest: jobnet.digest as string,
    revision: jobnet.revision,
    definition: jobnet,
    ...extra,
  }));
}

function section(report: PlanReport, id: string): JobnetReport {
  const found = report.jobnets.find((jobnet) => jobnet.id === id);
  if (found === undefined) throw new Error(`no section for ${id} in ${report.jobnets.map((j) => j.id).join(', ')}`);
  return found;
}

describe('the plan of the fixture pull request', () => {
  let base: CompiledJobnet[];
  let head: CompiledJobnet[];
  let report: PlanReport;
  beforeAll(async () => {
    base = compiled(await readDirectorySnapshot(path.join(fixtures, 'base')), sides.base.revision);
    head = compiled(await headSnapshot(['projects/ops/jobnets/weekly-report.yaml']), sides.head.revision);
    report = describePlan(planReconcile(head, asObserved(base), { prune: false }), { now, ...sides });
  });

  it('sums up 1 added, 2 changed, 1 removed and 1 unchanged jobnet, and lists only the ones that change', () => {
    expect(report.summary).toEqual({ added: 1, changed: 2, removed: 1, unchanged: 1, warnings: 0 });
    expect(report.jobnets.map((jobnet) => `${jobnet.action} ${jobnet.id}`)).toEqual([
      'update ops/nightly-batch',
      'update ops/payroll-transfer',
      'create ops/stock-export',
      'retire ops/weekly-report',
    ]);
  });

  it('shows a changed start time as a field diff with the next five starts before and after', () => {
    const nightly = section(report, 'ops/nightly-batch');
    expect(nightly.changes).toContainEqual({ path: '/schedule/start/at', before: '["22:00"]', after: '["21:30"]' });
    expect(nightly.changes).toContainEqual({
      path: '/jobs/extract/spec/argv',
      before: '["sh","-c","extract --all"]',
      after: '["sh","-c","extract --all --since yesterday"]',
    });
    // 2027-01-11 is a holiday (Coming of Age Day), skipped by the jobnet.
    expect(nightly.startsBefore?.starts.map((s) => s.localTime)).toEqual([
      '2027-01-12 Tue 22:00',
      '2027-01-13 Wed 22:00',
      '2027-01-14 Thu 22:00',
      '2027-01-15 Fri 22:00',
      '2027-01-18 Mon 22:00',
    ]);
    expect(nightly.startsAfter?.starts.map((s) => s.localTime)).toEqual([
      '2027-01-12 Tue 21:30',
      '2027-01-13 Wed 21:30',
      '2027-01-14 Thu 21:30',
      '2027-01-15 Fri 21:30',
      '2027-01-18 Mon 21:30',
    ]);
    expect(nightly.startsAfter?.starts[0]).toEqual({
      businessDate: '2027-01-12',
      localTime: '2027-01-12 Tue 21:30',
      instant: '2027-01-12T12:30:00.000Z',
      kind: 'at',
    });
  });

  it('shows the start days a new holiday moves within the next 12 months', () => {
    expect(section(report, 'ops/nightly-batch').movedStartDays).toEqual({
      from: '2027-01-10',
      to: '2028-01-09',
      added: [],
      removed: ['2027-02-25'],
    });
    const payroll = section(report, 'ops/payroll-transfer');
    expect(payroll.changes).toEqual([
      { path: '/calendar/versions/0/holidayNames/2027-02-25', after: '"Office move"' },
      { path: '/calendar/versions/0/holidays', before: '[]', after: '["2027-02-25"]', items: true },
    ]);
    expect(payroll.movedStartDays).toEqual({
      from: '2027-01-10',
      to: '2028-01-09',
      added: ['2027-02-24'],
      removed: ['2027-02-25'],
    });
    expect(payroll.startsBefore?.starts[1]?.localTime).toBe('2027-02-25 Thu 09:00');
    expect(payroll.startsAfter?.starts[1]?.localTime).toBe('2027-02-24 Wed 09:00');
  });

  it('outlines an added jobnet with its next starts, and a removed one as retired', () => {
    const added = section(report, 'ops/stock-export');
    expect(added.outline).toMatchObject({
      title: 'Stock export',
      jobs: [{ name: 'export', type: 'command' }],
      trigger: 'every',
    });
    expect(added.startsBefore).toBeUndefined();
    // Monday 2027-01-11 is a holiday: holidayShift after moves it to Tuesday.
    expect(added.startsAfter?.starts.map((s) => s.localTime)).toEqual([
      '2027-01-12 Tue 08:00',
      '2027-01-12 Tue 10:00',
      '2027-01-12 Tue 12:00',
      '2027-01-14 Thu 08:00',
      '2027-01-14 Thu 10:00',
    ]);
    const removed = section(report, 'ops/weekly-report');
    expect(removed.outline).toMatchObject({
      jobs: [{ name: 'report', type: 'command' }],
      trigger: 'at',
      start: '{"at":["18:00"]}',
    });
    expect(removed.changes).toEqual([]);
  });

  it('is the same for the same inputs and the same now, and moves with now', () => {
    const plan = planReconcile(head, asObserved(base), { prune: false });
    expect(describePlan(plan, { now, ...sides })).toEqual(report);
    const later = describePlan(plan, { now: '2027-03-01T00:00:00Z', ...sides });
    expect(section(later, 'ops/payroll-transfer').movedStartDays).toEqual({
      from: '2027-03-01',
      to: '2028-02-29',
      added: [],
      removed: [],
    });
  });

  it('renders Markdown with the marker, the summary line, one section per jobnet, tables and moved days', () => {
    const markdown = renderPlanMarkdown(report);
    expect(markdown.startsWith(`${planCommentMarker}\n## Jobnet plan\n`)).toBe(true);
    expect(markdown).toContain('`main` (aaaaaaa) → `feature` (bbbbbbb)');
    expect(markdown).toContain('**1 added, 2 changed, 1 removed, 1 unchanged**');
    expect(markdown).toContain('### `ops/nightly-batch` — changed');
    expect(markdown).toContain('| `/schedule/start/at` | `["22:00"]` | `["21:30"]` |');
    expect(markdown).toContain('| `/calendar/versions/0/holidays` | — | added `["2027-02-25"]` |');
    expect(markdown).toContain('| 2 | 2027-02-25 Thu 09:00 | **2027-02-24 Wed 09:00** |');
    expect(markdown).toContain('| 1 | 2027-01-25 Mon 09:00 | 2027-01-25 Mon 09:00 |');
    expect(markdown).toContain('- removed 2027-02-25 Thu\n- added 2027-02-24 Wed');
    expect(markdown).toContain('### `ops/weekly-report` — removed — retired');
    expect(markdown.endsWith('\n')).toBe(true);
    expect(renderPlanMarkdown(report)).toBe(markdown);
  });

  it('puts the warnings of open runs in the sections of their jobnets and counts them', () => {
    const running = planReconcile(head, asObserved(base, { running: true }), { prune: false });
    const withWarnings = describePlan(running, { now, ...sides });
    expect(withWarnings.summary.warnings).toBe(3);
    expect(section(withWarnings, 'ops/nightly-batch').warnings).toEqual([
      'jobnet ops/nightly-batch is changed while a run is open: the running run keeps revision aaaaaaa; the next run uses bbbbbbb',
    ]);
    const markdown = renderPlanMarkdown(withWarnings);
    expect(markdown).toContain('**1 added, 2 changed, 1 removed, 1 unchanged** · 3 warnings');
    expect(markdown).toContain(
      '> **Warning:** removing jobnet ops/weekly-report while a run is open: no new run starts; the open run finishes with revision aaaaaaa',
    );
  });

  it('says deleted rather than retired with prune', () => {
    const markdown = renderPlanMarkdown(
      describePlan(planReconcile(head, asObserved(base), { prune: true }), { now, ...sides }),
    );
    expect(markdown).toContain('### `ops/weekly-report` — removed — deleted (prune)');
  });

  it('says that a retired jobnet desired again is scheduled again, without a table when it comes back unchanged', () => {
    const revived = renderPlanMarkdown(
      describePlan(planReconcile(base, asObserved(base, { retired: true }), { prune: false }), { now, ...sides }),
    );
    expect(revived).toContain('**0 added, 4 changed, 0 removed, 0 unchanged**');
    expect(revived).toContain(
      '### `ops/health-check` — changed\n\nIt was retired; merging starts scheduling it again.\n\n### `ops/nightly-batch`',
    );
    expect(revived).not.toContain('| Field |');
  });

  it('says when the live definition is unknown instead of showing an empty table', () => {
    const unknown = asObserved(base).map(({ definition: _definition, ...rest }) => ({ ...rest, digest: 'unknown' }));
    const markdown = renderPlanMarkdown(
      describePlan(planReconcile(head, unknown, { prune: false }), { now, ...sides }),
    );
    expect(markdown).toContain(
      '### `ops/health-check` — changed\n\nThe definition differs from the live one, which could not be compared field by field.\n',
    );
    expect(markdown).not.toContain('Next starts before and after');
  });

  it('says so when nothing changes', () => {
    const same = describePlan(planReconcile(base, asObserved(base), { prune: false }), { now, ...sides });
    expect(same.jobnets).toEqual([]);
    expect(renderPlanMarkdown(same)).toContain(
      '**0 added, 0 changed, 0 removed, 4 unchanged**\n\nMerging changes no jobnet.\n',
    );
  });
});

describe('what the report leaves out and how it shows edge cases', () => {
  const project = 'apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: ops}\nspec: {}\n';
  const jobnet = (spec: string) =>
    `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: ops, name: night}\nspec:\n${spec}`;
  const calendar = (dayChange: string) =>
    `apiVersion: jobnet/v1\nkind: Calendar\nmetadata: {name: late}\nspec: {timezone: Asia/Tokyo, dayChangeTime: "${dayChange}"}\n`;
  const jobs = '  jobs:\n    nap: {type: sleep, seconds: 1}\n';

  function reportOf(before: Record<string, string>, after: Record<string, string>): JobnetReport | undefined {
    const plan = planReconcile(
      compiled(snapshotOf(after), 'b'.repeat(40)),
      asObserved(compiled(snapshotOf(before), 'a'.repeat(40))),
      { prune: false },
    );
    return describePlan(plan, { now, ...sides }).jobnets[0];
  }

  it('shows no starts and no moved days for a change that cannot move them (a job, a deadline)', () => {
    const night = reportOf(
      { 'p.yaml': project, 'j.yaml': jobnet(`  start: {at: ["22:00"]}\n${jobs}`) },
      {
        'p.yaml': project,
        'j.yaml': jobnet(
          `  start: {at: ["22:00"]}\n  deadlines: {start: "22:10"}\n  jobs:\n    nap: {type: sleep, seconds: 2}\n`,
        ),
      },
    );
    expect(night?.changes.map((c) => c.path)).toEqual(['/schedule/deadlines/start', '/jobs/nap/spec/seconds']);
    expect(night?.startsBefore).toBeUndefined();
    expect(night?.movedStartDays).toBeUndefined();
  });

  it('shows starts but no moved days for a start-time change, and says when a side starts by hand only', () => {
    const night = reportOf(
      { 'p.yaml': project, 'j.yaml': jobnet(jobs) },
      { 'p.yaml': project, 'j.yaml': jobnet(`  start: {at: ["22:00"]}\n${jobs}`) },
    );
    expect(night?.startsBefore).toEqual({ trigger: 'manual', timezone: 'UTC', enabled: true, starts: [] });
    expect(night?.startsAfter?.starts).toHaveLength(5);
    expect(night?.movedStartDays).toBeUndefined();
    const markdown = renderPlanMarkdown({
      ...describePlan(planReconcile([], [], { prune: false }), { now, ...sides }),
      jobnets: [night as JobnetReport],
    });
    expect(markdown).toContain('| 1 | manual starts only | **2027-01-10 Sun 22:00** |');
  });

  it('names the business date of a start after midnight that belongs to the previous business day', () => {
    const night = reportOf(
      {
        'p.yaml': project,
        'c.yaml': calendar('05:00'),
        'j.yaml': jobnet(`  calendar: late\n  start: {at: ["22:00"]}\n${jobs}`),
      },
      {
        'p.yaml': project,
        'c.yaml': calendar('05:00'),
        'j.yaml': jobnet(`  calendar: late\n  start: {at: ["03:00"]}\n${jobs}`),
      },
    );
    const markdown = renderPlanMarkdown({
      ...describePlan(planReconcile([], [], { prune: false }), { now, ...sides }),
      jobnets: [night as JobnetReport],
    });
    // now is 09:00 on 2027-01-10 in Tokyo: business date 2027-01-10, whose 03:00 is on 01-11.
    expect(markdown).toContain('| 1 | 2027-01-10 Sun 22:00 | **2027-01-11 Mon 03:00 (business date 2027-01-10)** |');
  });

  it('escapes pipes in table cells so a value cannot break the table', () => {
    const night = reportOf(
      { 'p.yaml': project, 'j.yaml': jobnet('  jobs:\n    run: {type: command, argv: [sh, -c, "a | b"]}\n') },
      { 'p.yaml': project, 'j.yaml': jobnet('  jobs:\n    run: {type: command, argv: [sh, -c, "a || b"]}\n') },
    );
    const markdown = renderPlanMarkdown({
      ...describePlan(planReconcile([], [], { prune: false }), { now, ...sides }),
      jobnets: [night as JobnetReport],
    });
    expect(markdown).toContain('| `/jobs/run/spec/argv` | `["sh","-c","a \\| b"]` | `["sh","-c","a \\|\\| b"]` |');
  });
});

describe('text from the pull request in the plan', () => {
  it('is written with control characters escaped, so a value cannot break the Markdown into lines of its own or drive a terminal', () => {
    const report: PlanReport = {
      base: { label: 'main\u001b[2J' },
      head: { label: 'feature\nerror', revision: 'b'.repeat(40) },
      now,
      prune: false,
      summary: { added: 1, changed: 1, removed: 0, unchanged: 0, warnings: 1 },
      notes: ['the base is invalid\n## Jobnet plan'],
      jobnets: [
        {
          id: 'sales/new\u001b[31m',
          project: 'sales',
          name: 'new',
          action: 'create',
          outline: {
            title: 'Nightly\r\n### forged',
            jobs: [{ name: 'load\u009b2J', type: 'sleep' }],
            trigger: 'manual',
            start: 'manual',
            calendar: 'cal\u0007',
            children: [],
          },
          changes: [],
          startsAfter: { trigger: 'at', timezone: 'Asia/Tokyo\u001b[K', enabled: true, starts: [] },
          warnings: ['a run is open\n> **Warning:** forged'],
        },
        {
          id: 'sales/changed',
          project: 'sales',
          name: 'changed',
          action: 'update',
          reason: 'definition',
          changes: [{ path: '/title', before: '"old\u001b[2J"', after: '"new\n| forged | row |"' }],
          warnings: [],
        },
      ],
    };
    const markdown = renderPlanMarkdown(report);
    expect([...markdown].filter((c) => (c < ' ' && c !== '\n') || (c >= '\u007f' && c <= '\u009f'))).toEqual([]);
    const lines = markdown.split('\n');
    expect(lines).toContain('> **Note:** the base is invalid\\n## Jobnet plan');
    expect(lines).toContain('### `sales/new\\x1b[31m` — added');
    expect(lines).toContain('- title: Nightly\\r\\n### forged');
    expect(lines).toContain('- jobs: `load\\x9b2J` (sleep)');
    expect(lines).toContain('| `/title` | `"old\\x1b[2J"` | `"new\\n\\| forged \\| row \\|"` |');
    expect(lines.filter((line) => /^(### forged|> \*\*Warning:\*\* forged|\| forged|error)/.test(line))).toEqual([]);
    expect(lines.filter((line) => line === '## Jobnet plan')).toHaveLength(1);
  });
});
