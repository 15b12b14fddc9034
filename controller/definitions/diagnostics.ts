/**
 * Diagnostics: the one shape in which every problem with a definitions repo is reported
 * (CONTRIBUTING.md#3-collect-every-problem-then-report, CONTRIBUTING.md#4-every-diagnostic-points-at-its-source). A diagnostic points at its source (file, 1-based line and column,
 * JSON pointer into the document) and carries a stable code documented in docs/errors.md.
 *
 * Pure module: no I/O. The code registry lives in diagnostic-codes.ts.
 */
import { diagnosticCodes, type DiagnosticCode, type Severity } from './diagnostic-codes.js';

export type { Severity } from './diagnostic-codes.js';

export interface SourceLocation {
  /** Path of the file, relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based line; 0 when the problem concerns the file as a whole. */
  line: number;
  /** 1-based column; 0 when the problem concerns the file as a whole. */
  column: number;
  /** 1-based end position of the offending node, when known (for editors and code frames). */
  endLine?: number;
  endColumn?: number;
}

export interface Diagnostic extends SourceLocation {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** JSON pointer into the YAML document ("" for the document root). */
  path: string;
  /** 0-based index of the document within a multi-document file. */
  document?: number;
  /** Revision (commit SHA) the file was read at, when it came from git. */
  revision?: string;
  /** Further locations that belong to the same problem (e.g. the other duplicate). */
  related?: (SourceLocation & { message: string })[];
}

/** Builds a diagnostic; severity comes from the registry so a code cannot change severity by accident. */
export function diagnostic(
  code: DiagnosticCode,
  message: string,
  at: SourceLocation & { path?: string; document?: number },
  extra: Pick<Diagnostic, 'related'> = {},
): Diagnostic {
  const { file, line, column, endLine, endColumn, path = '', document } = at;
  const d: Diagnostic = { code, severity: diagnosticCodes[code].severity, message, file, line, column, path };
  if (endLine !== undefined) d.endLine = endLine;
  if (endColumn !== undefined) d.endColumn = endColumn;
  if (document !== undefined) d.document = document;
  if (extra.related?.length) d.related = extra.related;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Stable order: file, line, column, code, message — so output and golden files never flap. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

/** Result of a validation step: never throws for user mistakes (CONTRIBUTING.md#3-collect-every-problem-then-report). */
export interface Result<T> {
  ok: boolean;
  value: T;
  diagnostics: Diagnostic[];
}
