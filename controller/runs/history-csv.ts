/**
 * History as CSV (R-OPS-5): a listing of runs, or one run's jobs, written with
 * csv-stringify (RFC 4180: a header row, CRLF line ends, fields quoted when they need it), and
 * encoded as UTF-8 or Shift_JIS.
 *
 * Shift_JIS here is Windows-31J (CP932), the variant Japanese Excel reads and browsers' `shift_jis`
 * decodes (iconv-lite `cp932`). Characters whose JIS X 0208 form differs only by mapping — WAVE
 * DASH 〜 and its kin — are written as their Windows-31J look-alikes (〜 → ～), which decode the
 * same on every Japanese system. A character with no Shift_JIS code at all (𠮷, emoji, ㋿) is
 * written as `?`, as iconv-lite substitutes it; {@link encodeCsv} counts them so that the command
 * warns and the API says so in a header: nothing is dropped silently.
 *
 * Pure: builds strings and bytes; no I/O.
 */
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { formatInstant } from '../cli/times.js';
import type { HistoryEntry } from './history-query.js';
import type { RunHistoryRecord } from './history-record.js';

/** The encodings a CSV can be written in. */
export const csvEncodings = ['utf8', 'sjis'] as const;
export type CsvEncoding = (typeof csvEncodings)[number];

/** The charset a CSV of `encoding` names in its Content-Type. */
export function csvCharset(encoding: CsvEncoding): string {
  return encoding === 'sjis' ? 'Shift_JIS' : 'utf-8';
}

function millisOf(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

/** A time cell: in `zone` with its offset (`times.ts`), empty when there is none. */
function timeCell(iso: string | undefined, zone: string): string {
  const millis = millisOf(iso);
  return millis === undefined ? '' : formatInstant(millis, zone);
}

function csv(rows: (string | number | undefined)[][]): string {
  return stringify(
    rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell)))),
    { record_delimiter: 'windows' },
  );
}

/** A listing of runs as CSV text; times in `zone`. */
export function historyListCsv(entries: readonly HistoryEntry[], zone: string): string {
  return csv([
    ['id', 'project', 'jobnet', 'business date', 'trigger', 'status', 'started', 'finished', 'revision', 'retry of'],
    ...entries.map((entry) => [
      entry.id,
      entry.project,
      entry.jobnet,
      entry.businessDate,
      entry.trigger,
      entry.status,
      timeCell(entry.started, zone),
      timeCell(entry.finished, zone),
      entry.revision,
      entry.retryOf,
    ]),
  ]);
}

/** One run's jobs as CSV text, one row per job (flow order), each with the run's id and names; times in `zone`. */
export function runJobsCsv(record: RunHistoryRecord, zone: string): string {
  return csv([
    [
      'run',
      'project',
      'jobnet',
      'jobnet title',
      'job',
      'job title',
      'state',
      'exit code',
      'attempts',
      'started',
      'finished',
      'error',
      'output',
    ],
    ...record.jobs.map((job) => [
      record.id,
      record.project,
      record.jobnet,
      record.title,
      job.name,
      job.title,
      job.state,
      job.exitCode,
      job.attempts,
      timeCell(job.started, zone),
      timeCell(job.finished, zone),
      job.error,
      job.output,
    ]),
  ]);
}

/** Characters JIS X 0208 maps differently from Windows-31J, and their Windows-31J look-alikes. */
const windows31jLookAlikes: Record<string, string> = {
  '\u301c': '\uff5e', // WAVE DASH → FULLWIDTH TILDE
  '\u2212': '\uff0d', // MINUS SIGN → FULLWIDTH HYPHEN-MINUS
  '\u2016': '\u2225', // DOUBLE VERTICAL LINE → PARALLEL TO
  '\u2014': '\u2015', // EM DASH → HORIZONTAL BAR
  '\u00a2': '\uffe0', // CENT SIGN
  '\u00a3': '\uffe1', // POUND SIGN
  '\u00ac': '\uffe2', // NOT SIGN
};

/** What {@link encodeCsv} wrote. */
export interface EncodedCsv {
  bytes: Buffer;
  /** Characters with no code in the encoding, written as `?` (Shift_JIS only). */
  unmapped: { count: number; characters: string[] };
}

const mappable = new Map<string, boolean>();

/** Whether the character (one code point) has a Windows-31J code. */
function hasShiftJisCode(character: string): boolean {
  let known = mappable.get(character);
  if (known === undefined) {
    known = character === '?' || iconv.decode(iconv.encode(character, 'cp932'), 'cp932') === character;
    mappable.set(character, known);
  }
  return known;
}

/** CSV text as bytes in `encoding`, with what could not be encoded (see the module header). */
export function encodeCsv(text: string, encoding: CsvEncoding): EncodedCsv {
  if (encoding === 'utf8') return { bytes: Buffer.from(text, 'utf8'), unmapped: { count: 0, characters: [] } };
  let count = 0;
  const characters = new Set<string>();
  let prepared = '';
  for (const original of text) {
    const character = windows31jLookAlikes[original] ?? original;
    if (character.charCodeAt(0) >= 0x80 && !hasShiftJisCode(character)) {
      count += 1;
      characters.add(character);
      prepared += '?';
    } else prepared += character;
  }
  return { bytes: iconv.encode(prepared, 'cp932'), unmapped: { count, characters: [...characters] } };
}

/** The warning for characters written as `?`, or undefined when there were none. */
export function unmappedWarning(unmapped: EncodedCsv['unmapped']): string | undefined {
  if (unmapped.count === 0) return undefined;
  const shown = unmapped.characters
    .slice(0, 10)
    .map((character) => `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`)
    .join(', ');
  return `${unmapped.count} character(s) have no Shift_JIS code and were written as "?" (${shown}${unmapped.characters.length > 10 ? ', …' : ''}); use --encoding utf8 to keep them`;
}
