/**
 * What a semantic rule gets: the definition index and a way to report a located problem.
 * Rules are small named functions (CONVENTIONS.md §3); each checks one thing and reports every
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
 * errors sit inside some of its jobs stays readable — those jobs are skipped by `validJobs` —
 * so one typo in one job does not hide a cycle or an unknown variable elsewhere in the jobnet.
 */
export function* validEntries<T>(map: Map<string, Located<T>>): Generator<[string, Located<T>]> {
  for (const entry of map) if (isSchemaValidExceptJobs(entry[1])) yield entry;
}

/** True when every schema error of the document (if any) sits inside one of its jobs. */
export function isSchemaValidExceptJobs(located: Located<unknown>): boolean {
  return located.schemaErrorPaths.every((p) => jobPointer.test(p));
}

/** The jobs of a readable jobnet that passed the schema, in definition order. */
export function validJobs(jobnet: Located<JobnetDocument>): [string, Job][] {
  const broken = new Set(jobnet.schemaErrorPaths.map((p) => pointerToSegments(p)[2]));
  return Object.entries(jobnet.value.spec.jobs).filter(([name]) => !broken.has(name));
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
