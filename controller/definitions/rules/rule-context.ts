/**
 * What a semantic rule gets: the definition index and a way to report a located problem.
 * Rules are small named functions (CONTRIBUTING.md#3-collect-every-problem-then-report); each checks one thing and reports every
 * occurrence, never only the first.
 */
import type { DiagnosticCode } from '../diagnostic-codes.js';
import type { DefinitionIndex, Located } from '../definition-index.js';
import { pointerSegment, pointerToSegments } from '../source-positions.js';
import type { Job, JobnetDocument } from '../types.generated.js';

export interface RelatedPlace {
  at: Located<unknown>;
  pointer: string;
  message: string;
}

export interface RuleContext {
  index: DefinitionIndex;
  report(
    code: DiagnosticCode,
    message: string,
    at: Located<unknown>,
    pointer: string,
    options?: { key?: boolean; related?: RelatedPlace[] },
  ): void;
}

export type Rule = (context: RuleContext) => void;

const jobPointer = /^\/spec\/jobs\/[^/]+(\/|$)/;

/** True when the document passed its schema without any error. */
export function isSchemaValid(located: Located<unknown>): boolean {
  return located.schemaErrorPaths.length === 0;
}

/**
 * Iterates over the documents of a map that content rules can read. A jobnet whose only schema
 * errors sit inside some of its jobs stays readable: the rules of the job graph, references,
 * variables and name lengths read every job through {@link jobFields}, so a typo in one field
 * does not hide a cycle or an unknown name in another; the rules of type-specific fields read
 * only the jobs that passed ({@link validJobs}).
 */
export function* validEntries<T>(map: Map<string, Located<T>>): Generator<[string, Located<T>]> {
  for (const entry of map) if (isSchemaValidExceptJobs(entry[1])) yield entry;
}

/** True when every schema error of the document (if any) sits inside one of its jobs. */
export function isSchemaValidExceptJobs(located: Located<unknown>): boolean {
  return located.schemaErrorPaths.every((p) => jobPointer.test(p));
}

/**
 * The jobs of a readable jobnet that passed the schema, in definition order: what the rules that
 * read a job's type-specific fields (REST connection info, checkVariable forms, waitTime times)
 * see, because those fields have the shapes the schema gives them only when it accepted the job.
 */
export function validJobs(jobnet: Located<JobnetDocument>): [string, Job][] {
  const broken = new Set(jobnet.schemaErrorPaths.map((p) => pointerToSegments(p)[2]));
  return Object.entries(jobnet.value.spec.jobs).filter(([name]) => !broken.has(name));
}

/**
 * A job of a readable jobnet as the rules that can look past its schema errors read it — the job
 * graph (`after`, `recovery`, child jobnets), references and variables — so that a typo in one
 * field of a job does not hide a cycle or an unknown name in another. Nothing the schema checks
 * can be assumed (a job of an unknown type is not checked at all), so every value is `unknown`
 * and a rule checks its type before it uses it; and {@link JobFields.field} gives nothing for a
 * field the schema already reported, so one mistake is still reported once.
 */
export interface JobFields {
  name: string;
  /** JSON pointer of the job: `/spec/jobs/<name>`. */
  pointer: string;
  /** The job passed its schema. */
  valid: boolean;
  /** The value at `path` (a JSON pointer below the job, e.g. `/request/credential`), as written. */
  value: (path: string) => unknown;
  /**
   * The value at `path`, or undefined when it is absent or a schema error sits on it, inside it,
   * or on a field it is part of (an unknown field's contents are not read either).
   */
  field: (path: string) => unknown;
  /** A field of the job to leave alone: a schema error sits exactly at `pointer` (absolute, below the job). */
  reported: (pointer: string) => boolean;
}

/**
 * The job views of each jobnet document, built once: half a dozen rules read the jobs of every
 * jobnet, and the views (and the pointers they hold) need not be built again for each of them.
 * Keyed by the located document, which is not changed once the schema stage has made it.
 */
const jobFieldsCache = new WeakMap<Located<unknown>, JobFields[]>();

/** Every job of a readable jobnet, with or without schema errors, in definition order. */
export function jobFields(jobnet: Located<JobnetDocument>): JobFields[] {
  const cached = jobFieldsCache.get(jobnet);
  if (cached !== undefined) return cached;
  const built = buildJobFields(jobnet);
  jobFieldsCache.set(jobnet, built);
  return built;
}

function buildJobFields(jobnet: Located<JobnetDocument>): JobFields[] {
  const jobs: unknown = jobnet.value.spec.jobs;
  if (!isRecord(jobs)) return [];
  const errorsByJob = new Map<string, string[]>();
  for (const error of jobnet.schemaErrorPaths) {
    const segments = pointerToSegments(error);
    if (segments[0] !== 'spec' || segments[1] !== 'jobs' || segments[2] === undefined) continue;
    const list = errorsByJob.get(segments[2]);
    if (list === undefined) errorsByJob.set(segments[2], [error]);
    else list.push(error);
  }
  return Object.entries(jobs).map(([name, job]) => {
    const pointer = `/spec/jobs${seg(name)}`;
    const value = (path: string): unknown => valueAt(job, segmentsOf(path));
    const errorsInJob = errorsByJob.get(name);
    // A job without schema errors (nearly every job) hides no field.
    if (errorsInJob === undefined) return { name, pointer, valid: true, value, reported: never, field: value };
    return {
      name,
      pointer,
      valid: false,
      value,
      reported: (at: string): boolean => at !== pointer && errorsInJob.includes(at),
      field: (path: string): unknown => {
        const at = `${pointer}${path}`;
        // On it, inside it, or on a field of the job it is part of (not the job itself: a missing
        // required field is reported on the job and leaves its other fields readable).
        const hidden = errorsInJob.some(
          (e) => e === at || e.startsWith(`${at}/`) || (e !== pointer && at.startsWith(`${e}/`)),
        );
        return hidden ? undefined : value(path);
      },
    };
  });
}

const never = (): boolean => false;

/** The segments of the pointers rules read below a job (a few fixed paths, and `after` indices), parsed once. */
const segmentsByPath = new Map<string, readonly string[]>();

function segmentsOf(path: string): readonly string[] {
  let segments = segmentsByPath.get(path);
  if (segments === undefined) {
    segments = pointerToSegments(path);
    if (segmentsByPath.size < 10_000) segmentsByPath.set(path, segments);
  }
  return segments;
}

/** `field(path)` when it is a string. */
export function textField(job: JobFields, path: string): string | undefined {
  const value = job.field(path);
  return typeof value === 'string' ? value : undefined;
}

/** A plain object (a YAML mapping), not an array or null. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (Array.isArray(current))
      current = /^(0|[1-9][0-9]*)$/.test(segment) ? (current[Number(segment)] as unknown) : undefined;
    else if (isRecord(current)) current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    else return undefined;
  }
  return current;
}

/** JSON-pointer segment for a name used as a key (job names, variable names). */
export const seg = pointerSegment;

/** Chains at most this long are named in full in a message; longer ones are shortened. */
export const maxChainShown = 12;

/**
 * A chain of names for a message, `a → b → c`. A chain longer than {@link maxChainShown} (a cycle
 * of 10,000 jobnets) shows its first 6 names, `…` and its last name, so the message stays small.
 * `head` is the whole chain, or — so that a long chain need not be built — at least its first
 * {@link maxChainShown} names, with `length` and `last` those of the whole chain.
 */
export function chainText(head: readonly string[], length = head.length, last = head[head.length - 1]): string {
  if (length <= maxChainShown) return head.slice(0, length).join(' → ');
  return [...head.slice(0, 6), '…', last].join(' → ');
}
