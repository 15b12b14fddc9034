/**
 * Renders diagnostics for people and machines (CONTRIBUTING.md#4-every-diagnostic-points-at-its-source): text with a code frame for
 * terminals, JSON for scripts, GitHub workflow-command annotations for pull requests.
 *
 * Pure: returns strings; the caller writes them. Paths, messages and source lines come from the
 * repository (a file name may hold a newline or an escape sequence): the text and GitHub formats
 * print them through `printable`, so none can forge a line or drive the terminal; JSON escapes
 * them itself.
 */
import { printable } from '../cli/terminal-text.js';
import type { Diagnostic } from './diagnostics.js';

export type DiagnosticFormat = 'text' | 'json' | 'github';

export interface RenderOptions {
  /** Turns a repo-relative file path into the path to show (e.g. relative to the cwd). */
  displayPath?: (file: string) => string;
  /** File texts by repo-relative path, for code frames. */
  texts?: ReadonlyMap<string, string>;
  color?: boolean;
}

export interface ValidationSummary {
  files: number;
  documents: number;
}

export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: DiagnosticFormat,
  summary: ValidationSummary,
  options: RenderOptions = {},
): string {
  const show = options.displayPath ?? ((f: string) => f);
  switch (format) {
    case 'json':
      return (
        JSON.stringify(
          {
            ok: !diagnostics.some((d) => d.severity === 'error'),
            files: summary.files,
            documents: summary.documents,
            errors: count(diagnostics, 'error'),
            warnings: count(diagnostics, 'warning'),
            diagnostics: diagnostics.map((d) => ({ ...d, file: show(d.file) })),
          },
          null,
          2,
        ) + '\n'
      );
    case 'github':
      return (
        diagnostics.map((d) => githubAnnotation(d, show(d.file))).join('') + `${summaryLine(diagnostics, summary)}\n`
      );
    default:
      return renderText(diagnostics, summary, { ...options, displayPath: show });
  }
}

function count(diagnostics: readonly Diagnostic[], severity: 'error' | 'warning'): number {
  return diagnostics.filter((d) => d.severity === severity).length;
}

export function summaryLine(diagnostics: readonly Diagnostic[], summary: ValidationSummary): string {
  const errors = count(diagnostics, 'error');
  const warnings = count(diagnostics, 'warning');
  const scope = `${summary.files} file${summary.files === 1 ? '' : 's'}, ${summary.documents} document${summary.documents === 1 ? '' : 's'}`;
  if (errors === 0 && warnings === 0) return `${scope}: no problems`;
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`];
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${scope}: ${parts.join(', ')}`;
}

/**
 * `::error file=…,line=…,col=…,title=CODE::message` with GitHub's escaping rules, control
 * characters made visible first (GitHub's log would honour an escape sequence).
 */
export function githubAnnotation(d: Diagnostic, file: string): string {
  const props = [`file=${escapeProperty(file)}`];
  if (d.line > 0) props.push(`line=${d.line}`, `col=${d.column}`);
  if (d.endLine !== undefined && d.line > 0) props.push(`endLine=${d.endLine}`, `endColumn=${d.endColumn ?? d.column}`);
  props.push(`title=${escapeProperty(d.code)}`);
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(`${d.code}: ${d.message}`)}\n`;
}

function escapeData(s: string): string {
  return printable(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function renderText(
  diagnostics: readonly Diagnostic[],
  summary: ValidationSummary,
  options: RenderOptions & { displayPath: (f: string) => string },
): string {
  const paint = (code: string, s: string) => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  for (const d of diagnostics) {
    const file = printable(options.displayPath(d.file));
    const where = d.line > 0 ? `${file}:${d.line}:${d.column}` : file;
    const label = d.severity === 'error' ? paint('31;1', `error[${d.code}]`) : paint('33;1', `warning[${d.code}]`);
    out.push(`${label} ${paint('1', where)}`);
    out.push(`  ${printable(d.message)}`);
    const text = options.texts?.get(d.file);
    if (text !== undefined && d.line > 0) out.push(...codeFrame(text, d, paint));
    for (const r of d.related ?? []) {
      out.push(
        `  ${paint('36', 'note:')} ${printable(r.message)} at ${printable(options.displayPath(r.file))}:${r.line}:${r.column}`,
      );
    }
    out.push('');
  }
  const errors = count(diagnostics, 'error');
  out.push(
    errors > 0
      ? paint('31;1', `✖ ${summaryLine(diagnostics, summary)}`)
      : paint('32;1', `✔ ${summaryLine(diagnostics, summary)}`),
  );
  return out.join('\n') + '\n';
}

/** Source characters of a line a code frame shows; longer lines are cut around the column. */
export const maxFrameLineLength = 160;
/** Of those, how many come before the column of the problem. */
const frameContextBefore = 60;

/**
 * Two lines of context before the problem, the line itself with a caret marker, one after; control
 * characters in the source shown escaped, the caret under the escaped text. A line longer than
 * {@link maxFrameLineLength} (a minified or single-line document) is shown as the window of that
 * length around the problem's column, with `…` where it was cut — the same window on every line
 * of the frame, so the lines stay aligned.
 */
export function codeFrame(
  text: string,
  d: Diagnostic,
  paint: (code: string, s: string) => string = (_c, s) => s,
): string[] {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, d.line - 2);
  const last = Math.min(lines.length, d.line + 1);
  const width = String(last).length;
  const problemLine = (lines[d.line - 1] ?? '').replace(/\t/g, ' ');
  const column = Math.max(0, d.column - 1);
  const longest = Math.max(...lines.slice(first - 1, last).map((line) => line.length));
  const from =
    longest <= maxFrameLineLength
      ? 0
      : Math.max(0, Math.min(column - frameContextBefore, problemLine.length - maxFrameLineLength));
  const window = (source: string): { shown: string; cutBefore: boolean } => {
    if (longest <= maxFrameLineLength) return { shown: source, cutBefore: false };
    const cutBefore = from > 0 && source.length > 0;
    const to = Math.min(source.length, from + maxFrameLineLength);
    return { shown: `${cutBefore ? '…' : ''}${source.slice(from, to)}${to < source.length ? '…' : ''}`, cutBefore };
  };
  const frame: string[] = [];
  for (let n = first; n <= last; n++) {
    const source = (lines[n - 1] ?? '').replace(/\t/g, ' ');
    const marker = n === d.line ? paint('31;1', '>') : ' ';
    const { shown, cutBefore } = window(source);
    frame.push(`  ${marker} ${String(n).padStart(width)} | ${printable(shown)}`);
    if (n === d.line) {
      const end =
        d.endLine === d.line && d.endColumn !== undefined && d.endColumn > d.column ? d.endColumn : d.column + 1;
      const visibleEnd = longest <= maxFrameLineLength ? end - 1 : Math.min(end - 1, from + maxFrameLineLength);
      const before =
        (cutBefore ? 1 : 0) +
        printable(source.slice(from, Math.max(from, column))).length +
        Math.max(0, column - Math.max(from, source.length));
      const caretWidth = Math.max(1, printable(source.slice(Math.max(from, column), visibleEnd)).length);
      frame.push(`    ${' '.repeat(width)} | ${' '.repeat(before)}${paint('31;1', '^'.repeat(caretWidth))}`);
    }
  }
  return frame;
}
