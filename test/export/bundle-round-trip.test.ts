/**
 * R-EXP-4: export then import into an empty repository reproduces definitions that validate and
 * plan as no change against the original, and a re-export has the same sha256 — for every project
 * of examples/ and of the valid fixtures (the REST service fixtures among them), and for projects
 * of generated repositories (a seeded generator, so a failure is reproducible from its seed).
 * Also: the sha256 does not depend on key order, file layout, exportedAt or the source.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportProject, planSnapshots, prepareImport, writeImport } from '../../controller/export/bundle-files.js';
import { readBundle } from '../../controller/export/bundle-format.js';
import { collectStartDays } from '../../workflows/lib/start-days.js';
import { compileAllJobnets } from '../../controller/compile/compile-jobnet.js';
import { readDirectorySnapshot } from '../../controller/definitions/repository-snapshot.js';
import { validateRepository } from '../../controller/definitions/validate-repository.js';
import { writeRepository, type RepositoryFiles } from '../definitions/large-repositories.js';

const root = path.join(import.meta.dirname, '..', '..');
const scratch: string[] = [];
const now = Date.parse('2026-06-15T00:00:00Z');

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function temporaryDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bundle-round-trip-'));
  scratch.push(dir);
  return dir;
}

async function projectsOf(dir: string): Promise<string[]> {
  const result = await validateRepository(dir);
  if (!result.ok) return [];
  return [...result.value.index.projects.keys()].sort();
}

/** Export → import into an empty directory → validate, plan, re-export. */
async function roundTrip(dir: string, project: string): Promise<void> {
  const exported = await exportProject({ project, source: { dir }, now });
  const reading = readBundle('bundle.yaml', exported.text);
  expect(reading.ok, reading.ok ? '' : reading.message).toBe(true);
  if (!reading.ok) return;
  const target = await temporaryDir();
  const prepared = await prepareImport(reading.bundle, { into: target, onConflict: 'fail', now });
  await writeImport(target, prepared.plan.writes);

  const imported = await validateRepository(target);
  expect(imported.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(imported.ok).toBe(true);

  const original = await readDirectorySnapshot(dir);
  const report = planSnapshots(
    { side: { label: 'original' }, snapshot: original },
    { side: { label: 'imported' }, repository: imported.value },
    now,
  );
  expect(report.summary.added).toBe(0);
  expect(report.summary.changed).toBe(0);
  // Jobnets of other projects the bundle does not carry show as removed; none of the bundle's.
  const carried = new Set(
    reading.bundle.definitions.flatMap((d) => {
      const doc = d as { kind: string; metadata: { name: string; project?: string } };
      return doc.kind === 'Jobnet' ? [`${doc.metadata.project}/${doc.metadata.name}`] : [];
    }),
  );
  for (const jobnet of report.jobnets) expect(carried.has(`${jobnet.project}/${jobnet.name}`)).toBe(false);
  expect(report.summary.unchanged).toBe(carried.size);

  const again = await exportProject({ project, source: { dir: target }, now: now + 86_400_000 });
  expect(again.bundle.sha256).toBe(exported.bundle.sha256);
}

describe('round trip of the repository projects (R-EXP-4)', async () => {
  const fixtures = path.join(root, 'test', 'fixtures', 'valid');
  const dirs = [path.join(root, 'examples')];
  for (const entry of await readdir(fixtures)) {
    if ((await stat(path.join(fixtures, entry))).isDirectory()) dirs.push(path.join(fixtures, entry));
  }
  const cases: [string, string][] = [];
  for (const dir of dirs) for (const project of await projectsOf(dir)) cases.push([path.relative(root, dir), project]);

  it('finds the projects of examples/ and the REST service fixtures', () => {
    const names = cases.map(([dir, project]) => `${dir}:${project}`);
    expect(names).toContain('examples:sales');
    expect(names).toContain('examples:infra');
    expect(names.some((name) => name.startsWith('test/fixtures/valid/rest-services:'))).toBe(true);
  });

  it.each(cases)('%s project %s', async (dir, project) => {
    await roundTrip(path.join(root, dir), project);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated projects

/** mulberry32: a small seeded generator, so a failing case is reproduced from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Same mapping, keys in a shuffled order (YAML is written from JSON, which keeps insertion order). */
function shuffledKeys(value: unknown, next: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffledKeys(item, next));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, shuffledKeys(item, next)]));
}

interface Generated {
  /** Definitions as values. */
  documents: Record<string, unknown>[];
  projects: string[];
}

/** A repository of 2–4 projects with calendars, day-pattern chains, child jobnets and cross-project events. */
function generateRepository(seed: number): Generated {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const documents: Record<string, unknown>[] = [];
  const doc = (kind: string, metadata: Record<string, unknown>, spec: unknown) =>
    documents.push({ apiVersion: 'jobnet/v1', kind, metadata, spec });
  doc('Settings', { name: 'settings' }, { timezone: 'Asia/Tokyo', variables: { SEED: String(seed) } });
  const calendars = ['cal-a', 'cal-b', 'cal-unused'];
  for (const name of calendars) {
    doc('Calendar', { name }, { timezone: 'Asia/Tokyo', weeklyHolidays: next() < 0.5 ? ['sun'] : ['sat', 'sun'] });
  }
  const patterns = ['pat-1', 'pat-2', 'pat-3', 'pat-unused'];
  doc('DayPattern', { name: 'pat-1' }, { monthDays: [1, 15], except: { dayPattern: 'pat-2' } });
  doc('DayPattern', { name: 'pat-2' }, { weekdays: ['mon'], except: { dayPattern: 'pat-3' } });
  doc('DayPattern', { name: 'pat-3' }, { monthDays: ['last'] });
  doc('DayPattern', { name: 'pat-unused' }, { everyDay: true });
  doc('Environment', { name: 'dev' }, { variables: { HOST: `dev-${seed}.example.com` } });
  const projectCount = 2 + Math.floor(next() * 3);
  const projects = Array.from({ length: projectCount }, (_, i) => `proj${i}`);
  const jobnetsOf = new Map<string, string[]>();
  for (const project of projects) {
    const spec: Record<string, unknown> = {};
    if (next() < 0.5) spec.calendar = pick(calendars.slice(0, 2));
    if (next() < 0.5) spec.variables = { PROJECT_VAR: project };
    doc('Project', { name: project }, spec);
    jobnetsOf.set(
      project,
      Array.from({ length: 1 + Math.floor(next() * 5) }, (_, i) => `jn-${i}`),
    );
  }
  for (const project of projects) {
    const names = jobnetsOf.get(project)!;
    names.forEach((name, i) => {
      const jobs: Record<string, unknown> = { first: { type: 'command', argv: ['echo', '@HOST@'] } };
      // A child only further down the list, so the calls never form a cycle.
      if (i + 1 < names.length && next() < 0.5) jobs.child = { type: 'jobnet', jobnet: names[i + 1], after: ['first'] };
      if (next() < 0.4) {
        const other = pick(projects);
        jobs.tell = { type: 'raiseEvent', event: 'DONE', project: other, jobnet: pick(jobnetsOf.get(other)!) };
      }
      const spec: Record<string, unknown> = { jobs };
      const days = next();
      if (days < 0.3) spec.daysFrom = pick(patterns.slice(0, 3));
      else if (days < 0.5) spec.days = { weekdays: ['tue'], except: { dayPattern: pick(patterns.slice(0, 3)) } };
      if (next() < 0.3) spec.calendar = pick(calendars.slice(0, 2));
      doc('Jobnet', { project, name }, spec);
    });
  }
  return { documents, projects };
}

/** The documents as files: one file each in a flat layout, or all in one multi-document file. */
function filesOf(documents: readonly unknown[], layout: 'flat' | 'single', next: () => number): RepositoryFiles {
  const { dump } = yamlDump;
  if (layout === 'single') return { 'all.yaml': documents.map((d) => dump(shuffledKeys(d, next))).join('---\n') };
  const files: RepositoryFiles = {};
  documents.forEach((d, i) => (files[`defs/doc-${i}.yaml`] = dump(shuffledKeys(d, next))));
  return files;
}

const yamlDump = await import('js-yaml');

describe('round trip of generated projects', () => {
  const seeds = Array.from({ length: 12 }, (_, i) => 1000 + i * 7919);
  it.each(seeds)('seed %i: round trip, and the sha256 ignores key order and layout', async (seed) => {
    const generated = generateRepository(seed);
    const next = random(seed ^ 0x5bd1e995);
    const flat = await temporaryDir();
    writeRepository(flat, filesOf(generated.documents, 'flat', next));
    const single = await temporaryDir();
    writeRepository(single, filesOf(generated.documents, 'single', next));
    const validated = await validateRepository(flat);
    expect(validated.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const project of generated.projects) {
      await roundTrip(flat, project);
      const a = await exportProject({ project, source: { dir: flat }, now });
      const b = await exportProject({ project, source: { dir: single }, now: now + 1 });
      expect(b.bundle.sha256).toBe(a.bundle.sha256);
      // Nothing more than the project needs: no unused calendar or day pattern.
      const names = a.bundle.definitions.map((d) => (d as { metadata: { name: string } }).metadata.name);
      expect(names).not.toContain('cal-unused');
      expect(names).not.toContain('pat-unused');
    }
  });
});

describe('--with-start-days', () => {
  it('imports with exactly the frozen days, and is refused in a later year', async () => {
    const dir = path.join(root, 'examples');
    const exported = await exportProject({ project: 'sales', source: { dir }, startDaysYear: 2026, now });
    const frozen = exported.bundle.startDays!;
    expect(Object.keys(frozen)).toContain('month-end-close');
    expect(frozen['month-end-close']!.length).toBe(12);
    const reading = readBundle('bundle.yaml', exported.text);
    if (!reading.ok) throw new Error(reading.message);
    const target = await temporaryDir();
    const prepared = await prepareImport(reading.bundle, { into: target, onConflict: 'fail', now });
    await writeImport(target, prepared.plan.writes);
    const imported = await validateRepository(target);
    expect(imported.ok).toBe(true);
    const compiled = compileAllJobnets(imported.value);
    if (!compiled.ok) throw new Error(compiled.message);
    for (const jobnet of compiled.jobnets.filter((j) => j.project === 'sales')) {
      const schedule = jobnet.schedule!;
      const days = collectStartDays(
        schedule.days,
        jobnet.calendar!,
        { from: '2026-01-01', to: '2026-12-31' },
        schedule.dayPatterns,
      );
      expect(days.days, jobnet.name).toEqual(frozen[jobnet.name]);
    }
    const later = Date.parse('2027-01-02T00:00:00Z');
    await expect(
      prepareImport(reading.bundle, { into: await temporaryDir(), onConflict: 'fail', now: later }),
    ).rejects.toThrow(/holds the start days of 2026/);
  });
});
