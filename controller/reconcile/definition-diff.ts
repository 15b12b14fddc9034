/**
 * Field-level differences between two compiled jobnets (R-GIT-5: the plan of a pull request shows
 * what changes in each changed jobnet). Compiled jobnets rather than the YAML documents, because
 * the compiled form is what a run executes: defaults are filled in, the calendar, the DayPatterns
 * and the credential references a jobnet uses are copied in, so a change to a shared calendar shows
 * up in every jobnet whose schedule it moves, and a reformatted file shows up nowhere.
 *
 * Paths are JSON pointers into the compiled jobnet (`/schedule/start/at`,
 * `/jobs/submit/spec/request/url`); a list of plain values is one field, except a long one (a
 * calendar's holidays), which is compared as a set: its change lists the removed and the added
 * items. Values are rendered as compact canonical JSON (object keys sorted), cut at
 * {@link maxValueLength} characters. The order is stable: the top-level fields in the order people
 * read a jobnet (title, environment, variables, schedule, calendar, jobs, children), everything
 * below in code-unit order of its keys, list items by index.
 *
 * Pure; must not read files or the clock.
 */
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { canonicalJson } from '../compile/jobnet-digest.js';

/** One changed field. */
export interface FieldChange {
  /** JSON pointer of the field in the compiled jobnet, e.g. `/schedule/start/at`. */
  path: string;
  /** The old value, compact; absent when the field was added. */
  before?: string;
  /** The new value, compact; absent when the field was removed. */
  after?: string;
  /**
   * Set on a long list of plain values compared as a set: `before` then holds only the removed
   * items and `after` only the added ones (each a compact JSON list, `[]` when there are none).
   */
  items?: true;
}

/** Longest rendered value; longer ones end in `…`. */
export const maxValueLength = 80;

/** A list of plain values whose compact form is longer than this is compared as a set. */
const wholeListLength = 60;

/** Top-level fields of a compiled jobnet in reading order; the rest follow in key order. */
const topLevelOrder = ['title', 'environment', 'variables', 'schedule', 'calendar', 'jobs', 'children'];

/** Fields that identify or pin a jobnet rather than say what it does. */
const bookkeepingFields = new Set(['project', 'name', 'revision', 'digest']);

/**
 * The changed fields from `before` to `after` (the same jobnet at two revisions), in the stable
 * order of the module header; empty when they do the same. `revision` and `digest` are ignored,
 * in the jobnet and in its children, as the content digest ignores them.
 * @throws TypeError when a value is not plain JSON (a compile bug, as for the digest).
 */
export function diffJobnets(before: CompiledJobnet, after: CompiledJobnet): FieldChange[] {
  const changes: FieldChange[] = [];
  const left = jobnetContent(before);
  const right = jobnetContent(after);
  const keys = orderedKeys(left, right, topLevelOrder);
  for (const key of keys) diffValue(left[key], right[key], `/${pointerToken(key)}`, changes);
  return changes;
}

/**
 * The changed fields between two plain JSON values, below `path` (a JSON pointer, `''` for the
 * whole value), in the order of the module header.
 * @throws TypeError when a value is not plain JSON.
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  diffValue(before, after, path, changes);
  return changes;
}

/**
 * A value as compact canonical JSON (keys sorted, no whitespace), cut to `maxLength` characters
 * with a trailing `…`.
 * @throws TypeError when the value is not plain JSON.
 */
export function compactValue(value: unknown, maxLength = maxValueLength): string {
  const text = canonicalJson(value);
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/** Whether any change lies at or below one of the JSON pointers `prefixes`. */
export function touches(changes: readonly FieldChange[], prefixes: readonly string[]): boolean {
  return changes.some((change) =>
    prefixes.some((prefix) => change.path === prefix || change.path.startsWith(`${prefix}/`)),
  );
}

// ---------------------------------------------------------------------------------------------

function jobnetContent(jobnet: CompiledJobnet): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(jobnet)) {
    if (bookkeepingFields.has(key) || value === undefined) continue;
    content[key] =
      key === 'children' && isRecord(value)
        ? Object.fromEntries(
            Object.entries(value).map(([name, child]) => [name, jobnetContent(child as CompiledJobnet)]),
          )
        : value;
  }
  return content;
}

function diffValue(before: unknown, after: unknown, path: string, changes: FieldChange[]): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    changes.push({ path, after: compactValue(after) });
    return;
  }
  if (after === undefined) {
    changes.push({ path, before: compactValue(before) });
    return;
  }
  if (canonicalJson(before) === canonicalJson(after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of orderedKeys(before, after))
      diffValue(before[key], after[key], `${path}/${pointerToken(key)}`, changes);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    diffList(before as unknown[], after as unknown[], path, changes);
    return;
  }
  changes.push({ path, before: compactValue(before), after: compactValue(after) });
}

function diffList(before: unknown[], after: unknown[], path: string, changes: FieldChange[]): void {
  if (before.every(isPlainValue) && after.every(isPlainValue)) {
    const whole = { path, before: compactValue(before), after: compactValue(after) };
    const short = canonicalJson(before).length <= wholeListLength && canonicalJson(after).length <= wholeListLength;
    if (short || !isSet(before) || !isSet(after)) {
      changes.push(whole);
      return;
    }
    const beforeKeys = new Set(before.map((item) => canonicalJson(item)));
    const afterKeys = new Set(after.map((item) => canonicalJson(item)));
    const removed = before.filter((item) => !afterKeys.has(canonicalJson(item)));
    const added = after.filter((item) => !beforeKeys.has(canonicalJson(item)));
    // Same items in another order: the order is the change.
    if (removed.length === 0 && added.length === 0) changes.push(whole);
    else changes.push({ path, before: compactValue(removed), after: compactValue(added), items: true });
    return;
  }
  const length = Math.max(before.length, after.length);
  for (let index = 0; index < length; index++) diffValue(before[index], after[index], `${path}/${index}`, changes);
}

/** Keys of both objects: those in `first` (in that order) that exist, then the rest in code-unit order. */
function orderedKeys(
  left: Record<string, unknown>,
  right: Record<string, unknown>,
  first: readonly string[] = [],
): string[] {
  const present = (key: string) => left[key] !== undefined || right[key] !== undefined;
  const rest = [...new Set([...Object.keys(left), ...Object.keys(right)])]
    .filter((key) => !first.includes(key) && present(key))
    .sort();
  return [...first.filter(present), ...rest];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainValue(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function isSet(values: readonly unknown[]): boolean {
  return new Set(values.map((value) => canonicalJson(value))).size === values.length;
}

/** RFC 6901 escaping of one reference token. */
function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
