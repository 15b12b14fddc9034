/**
 * What `jobnet import` writes, decided before anything is written: the bundle's definitions —
 * renamed when `--project` says so, with frozen start days put in place — laid out in the
 * recommended layout, compared by identity (R-REPO-3) with the definitions the target already
 * holds. A definition already there with the same content is left alone; one with different
 * content is a conflict, decided by `--on-conflict`: `fail` (the default) refuses the import,
 * `skip` keeps the target's, `overwrite` replaces it in its file (only when it is the file's one
 * document — rewriting part of a multi-document file would drop its other documents' comments).
 * Every problem is collected; an import with any problem writes nothing.
 *
 * Frozen start days (R-EXP-2) replace each of the project's jobnets' `days`/`daysFrom` by the
 * exported dates (`days: {dates, holidayShift: none}`), so the jobnet starts on exactly those days;
 * such a bundle is refused once its year is over.
 *
 * Carried state (R-EXP-2, `--with-state`) is written into each held or disabled jobnet as
 * `spec.initialState`, which the jobnet's actor takes once, when it is created by the first apply.
 *
 * Pure: no I/O; the caller reads the target and applies the writes.
 */
import { canonicalJson } from '../compile/jobnet-digest.js';
import { identityOf } from '../definitions/definition-index.js';
import { yamlText, type Bundle, type JobnetExportState } from './bundle-format.js';
import { recommendedPath, staysBelowRoot, unsafeSegment } from './bundle-layout.js';
import { renameProject } from './rename-project.js';

export const conflictChoices = ['fail', 'skip', 'overwrite'] as const;
export type OnConflict = (typeof conflictChoices)[number];

/** A definition the target already holds. */
export interface ExistingDocument {
  /** Its file, relative to the target root. */
  file: string;
  value: unknown;
  /** How many documents that file holds. */
  documentsInFile: number;
}

export interface ImportRequest {
  bundle: Bundle;
  /** New project name (`--project`). */
  project?: string;
  onConflict: OnConflict;
  /** The current year, for bundles with frozen start days. */
  currentYear: number;
  existing: readonly ExistingDocument[];
  /** Every file path of the target, relative to its root. */
  existingFiles: ReadonlySet<string>;
}

export interface ImportWrite {
  path: string;
  text: string;
  action: 'create' | 'overwrite';
  /** `Kind name` of the definition. */
  what: string;
  /** The definition `text` holds (its one document), so the import's validation need not parse it again. */
  value: unknown;
}

export interface ImportPlan {
  project: string;
  writes: ImportWrite[];
  /** Definitions already in the target with the same content. */
  unchanged: string[];
  /** Definitions in conflict kept as the target has them (`--on-conflict skip`). */
  skipped: string[];
  /** Jobnet name (of `project`) → state to restore, from a `--with-state` bundle. */
  state?: Record<string, JobnetExportState>;
}

export type ImportDecision = { ok: true; plan: ImportPlan } | { ok: false; problems: string[] };

/** Decides the import (see the module header). Never throws for bad input. */
export function planImport(request: ImportRequest): ImportDecision {
  const { bundle } = request;
  const problems: string[] = [];
  const project = request.project ?? bundle.project;
  const unsafeProject = unsafeSegment(project);
  if (unsafeProject !== undefined) problems.push(`project name ${JSON.stringify(project)} ${unsafeProject}`);
  const year = bundle.options?.year;
  if (bundle.startDays !== undefined && year !== undefined && request.currentYear > year) {
    problems.push(
      `the bundle holds the start days of ${year}, frozen at export (--with-start-days); it is ${request.currentYear} now, so they no longer apply: export again for this year`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };

  let definitions = renameProject(bundle.definitions, bundle.project, project);
  if (bundle.startDays !== undefined) definitions = freezeStartDays(definitions, project, bundle.startDays);
  if (bundle.state !== undefined) definitions = withInitialState(definitions, project, bundle.state);

  const existing = new Map<string, ExistingDocument>();
  for (const doc of request.existing) {
    const key = identityKey(doc.value);
    if (key !== undefined && !existing.has(key)) existing.set(key, doc);
  }
  const plan: ImportPlan = { project, writes: [], unchanged: [], skipped: [] };
  const seen = new Set<string>();
  const planned = new Set<string>();
  for (const value of definitions) {
    const key = identityKey(value);
    const what = describe(value);
    if (key === undefined) {
      problems.push(`${what}: not a definition document (kind and metadata.name are needed)`);
      continue;
    }
    if (seen.has(key)) {
      problems.push(`${what} appears twice in the bundle`);
      continue;
    }
    seen.add(key);
    const layout = recommendedPath(value);
    if (!layout.ok) {
      problems.push(layout.message);
      continue;
    }
    if (!staysBelowRoot(layout.path)) {
      problems.push(`${what}: its path ${layout.path} would leave the target directory`);
      continue;
    }
    const there = existing.get(key);
    if (there !== undefined) {
      if (canonicalJson(there.value) === canonicalJson(value)) {
        plan.unchanged.push(what);
        continue;
      }
      if (request.onConflict === 'skip') {
        plan.skipped.push(`${what} (${there.file})`);
        continue;
      }
      if (request.onConflict === 'fail') {
        problems.push(
          `${what} already exists in ${there.file} with different content; --on-conflict skip keeps it, --on-conflict overwrite replaces it`,
        );
        continue;
      }
      if (there.documentsInFile !== 1) {
        problems.push(
          `${what} is one of ${there.documentsInFile} documents of ${there.file}; it cannot be overwritten without rewriting the others — move it to a file of its own first`,
        );
        continue;
      }
      plan.writes.push({ path: there.file, text: fileText(value, bundle), action: 'overwrite', what, value });
      planned.add(there.file);
      continue;
    }
    if (request.existingFiles.has(layout.path) || planned.has(layout.path)) {
      problems.push(`${what}: its file ${layout.path} already exists and holds other definitions`);
      continue;
    }
    plan.writes.push({ path: layout.path, text: fileText(value, bundle), action: 'create', what, value });
    planned.add(layout.path);
  }
  if (bundle.state !== undefined) plan.state = bundle.state;
  if (problems.length > 0) return { ok: false, problems };
  plan.writes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ok: true, plan };
}

/** Replaces the day rules of `project`'s jobnets named in `startDays` by their frozen dates. */
export function freezeStartDays(
  definitions: readonly unknown[],
  project: string,
  startDays: Readonly<Record<string, readonly string[]>>,
): unknown[] {
  return definitions.map((value) => {
    const doc = value as { kind?: unknown; metadata?: { name?: unknown; project?: unknown }; spec?: unknown };
    if (doc.kind !== 'Jobnet' || doc.metadata?.project !== project || typeof doc.metadata.name !== 'string') {
      return value;
    }
    const days = startDays[doc.metadata.name];
    if (days === undefined) return value;
    const copy = structuredClone(doc) as { spec: Record<string, unknown> };
    delete copy.spec.daysFrom;
    copy.spec.days = { dates: [...days], holidayShift: 'none' };
    return copy;
  });
}

/**
 * Writes the carried state of `project`'s jobnets as their `spec.initialState` (only the `true`
 * flags; a jobnet with none keeps its definition as it is, without an `initialState`).
 */
export function withInitialState(
  definitions: readonly unknown[],
  project: string,
  state: Readonly<Record<string, JobnetExportState>>,
): unknown[] {
  return definitions.map((value) => {
    const doc = value as { kind?: unknown; metadata?: { name?: unknown; project?: unknown }; spec?: unknown };
    if (doc.kind !== 'Jobnet' || doc.metadata?.project !== project || typeof doc.metadata.name !== 'string') {
      return value;
    }
    const carried = Object.hasOwn(state, doc.metadata.name) ? state[doc.metadata.name] : undefined;
    const initial: { held?: true; disabled?: true } = {};
    if (carried?.held === true) initial.held = true;
    if (carried?.disabled === true) initial.disabled = true;
    const none = initial.held === undefined && initial.disabled === undefined;
    if (none && (doc.spec as { initialState?: unknown } | undefined)?.initialState === undefined) return value;
    const copy = structuredClone(doc) as { spec: Record<string, unknown> };
    if (none) delete copy.spec.initialState;
    else copy.spec.initialState = initial;
    return copy;
  });
}

/** Identity of a definition for comparison; the Settings is one, whatever its name. */
function identityKey(value: unknown): string | undefined {
  const identity = identityOf(value);
  if (identity === undefined) return undefined;
  return identity.kind === 'Settings' ? 'Settings' : `${identity.kind}\u0000${identity.key}`;
}

function describe(value: unknown): string {
  const identity = identityOf(value);
  return identity === undefined ? 'a document' : `${identity.kind} ${identity.key}`;
}

function fileText(value: unknown, bundle: Bundle): string {
  return `# Imported by jobnet import from a bundle of project ${bundle.project} (sha256 ${bundle.sha256.slice(0, 12)})\n${yamlText(value)}`;
}
