/**
 * The definitions pipeline up to the typed model (docs/architecture.md#one-pipeline-from-source-to-status): parse every file of a
 * snapshot, drop ignored paths, validate each document against its schema, index by identity,
 * then run the named semantic rules. Every problem is collected; nothing throws for a user
 * mistake. `jobnet validate`, the controller and `plan` all call this one function.
 */
import picomatch from 'picomatch';
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic, type Result } from './diagnostics.js';
import { emptyIndex, identityOf, mapForKind, type DefinitionIndex, type Located } from './definition-index.js';
import { parseDocuments, type ParsedDocument } from './parse-documents.js';
import { readDirectorySnapshot, type RepositorySnapshot, type SkippedLink } from './repository-snapshot.js';
import { locate } from './source-positions.js';
import { validateDocumentSchema } from './validate-schema.js';
import { reportIdentityClashes, type IdentityClash } from './rules/check-identities.js';
import { checkChildDepth } from './rules/check-child-depth.js';
import { checkExclusiveFields } from './rules/check-exclusive-fields.js';
import { checkJobGraph } from './rules/check-job-graph.js';
import { checkNameLengths } from './rules/check-name-lengths.js';
import { checkReferences } from './rules/check-references.js';
import { checkRestJobs } from './rules/check-rest-jobs.js';
import { checkVariableChecks } from './rules/check-variable-checks.js';
import { checkSchedules } from './rules/check-schedules.js';
import { checkSecrets } from './rules/check-secrets.js';
import { checkStartDays } from './rules/check-start-days.js';
import { checkVariables } from './rules/check-variables.js';
import type { Rule, RuleContext } from './rules/rule-context.js';

/** The semantic rules, in reporting order. */
export const semanticRules: readonly Rule[] = [
  checkSecrets,
  checkNameLengths,
  checkExclusiveFields,
  checkReferences,
  checkJobGraph,
  checkChildDepth,
  checkVariables,
  checkRestJobs,
  checkVariableChecks,
  checkSchedules,
  checkStartDays,
];

export interface ValidatedRepository {
  revision?: string;
  index: DefinitionIndex;
  documents: ParsedDocument[];
  /** File texts by path, for code frames. */
  texts: Map<string, string>;
  /** Number of definition files read (after ignores). */
  fileCount: number;
}

export interface ValidateOptions {
  /** Called after each file is parsed and after each stage, for progress on a terminal. */
  onProgress?: (stage: 'parse' | 'schema' | 'rules', done: number, total: number) => void;
  /** Largest file accepted (default 5 MiB). */
  maxFileBytes?: number;
  /**
   * Document values of files the caller wrote from values it holds (`jobnet import`), by path:
   * taken instead of parsing those files again (see `parseDocuments`).
   */
  knownValues?: ReadonlyMap<string, readonly unknown[]>;
}

/** Reads `dir` from disk and validates it. Throws only if `dir` cannot be read at all. */
export async function validateRepository(
  dir: string,
  options: ValidateOptions = {},
): Promise<Result<ValidatedRepository>> {
  const snapshot = await readDirectorySnapshot(dir, options.maxFileBytes);
  return validateSnapshot(snapshot, { ...options, oversized: snapshot.oversized });
}

/** FILE-SYMLINK diagnostics of the links the snapshot did not follow. */
function linkDiagnostics(links: readonly SkippedLink[]): Diagnostic[] {
  return links.map((link) =>
    diagnostic(
      'FILE-SYMLINK',
      link.reason === 'outside'
        ? `${link.path} is a symbolic link to ${link.target}, outside the definitions tree: it is not followed, so what it points to is not loaded`
        : `${link.path} is a symbolic link to ${link.target}, which does not exist: it is not loaded`,
      { file: link.path, line: 0, column: 0 },
    ),
  );
}

export function validateSnapshot(
  snapshot: RepositorySnapshot,
  options: ValidateOptions & { oversized?: readonly string[] } = {},
): Result<ValidatedRepository> {
  const { onProgress } = options;
  const parsed = parseDocuments(
    snapshot.files,
    new Set(options.oversized ?? []),
    options.maxFileBytes,
    options.knownValues,
  );
  onProgress?.('parse', snapshot.files.length, snapshot.files.length);

  const ignored = ignoreMatcher(parsed.documents);
  const documents = parsed.documents.filter((d) => !ignored(d.file));
  const diagnostics: Diagnostic[] = [...parsed.diagnostics, ...linkDiagnostics(snapshot.links ?? [])].filter(
    (d) => !ignored(d.file),
  );
  const fileCount = snapshot.files.filter((f) => !ignored(f.path)).length;

  const index = emptyIndex();
  const clashes: IdentityClash[] = [];
  documents.forEach((doc, i) => {
    const problems = validateDocumentSchema(doc);
    diagnostics.push(...problems);
    if (i % 500 === 0) onProgress?.('schema', i, documents.length);
    const identity = problems.some((p) => p.code.startsWith('DOC-')) ? undefined : identityOf(doc.value);
    if (!identity) return;
    const located: Located<unknown> = { doc, value: doc.value, schemaErrorPaths: problems.map((p) => p.path) };
    if (identity.kind === 'Settings') {
      if (index.settings) clashes.push({ kind: 'Settings', key: identity.key, first: index.settings, second: located });
      else index.settings = located as DefinitionIndex['settings'];
      return;
    }
    const map = mapForKind(index, identity.kind);
    if (!map) return;
    const existing = map.get(identity.key);
    if (existing) clashes.push({ kind: identity.kind, key: identity.key, first: existing, second: located });
    else map.set(identity.key, located);
  });
  onProgress?.('schema', documents.length, documents.length);

  const context: RuleContext = {
    index,
    report(code, message, at, pointer, reportOptions = {}) {
      const where = {
        ...locate(at.doc, pointer, { key: reportOptions.key ?? false }),
        path: pointer,
        document: at.doc.index,
      };
      const related = reportOptions.related?.map((r) => ({ ...locate(r.at.doc, r.pointer), message: r.message }));
      diagnostics.push(diagnostic(code, message, where, related ? { related } : {}));
    },
  };
  reportIdentityClashes(context, clashes);
  semanticRules.forEach((rule, i) => {
    rule(context);
    onProgress?.('rules', i + 1, semanticRules.length);
  });
  // Nothing to load is most often the wrong directory, branch or path: say so rather than pass.
  if (documents.length === 0 && !hasErrors(diagnostics)) {
    const what =
      fileCount === 0
        ? 'no definition file (*.yaml, *.yml outside dot-directories and Settings.spec.ignore)'
        : `${fileCount} definition file${fileCount === 1 ? '' : 's'} but no document`;
    diagnostics.push(
      diagnostic(
        'REPO-EMPTY',
        `the definitions tree holds ${what}: is it the right directory, repository, branch or path?`,
        { file: '.', line: 0, column: 0 },
      ),
    );
  }

  if (snapshot.revision !== undefined) for (const d of diagnostics) d.revision = snapshot.revision;
  sortDiagnostics(diagnostics);
  const value: ValidatedRepository = { index, documents, texts: parsed.texts, fileCount };
  if (snapshot.revision !== undefined) value.revision = snapshot.revision;
  return { ok: !hasErrors(diagnostics), value, diagnostics };
}

/** R-REPO-1: paths listed in `Settings.spec.ignore` (globs relative to the repo root) are not loaded. */
function ignoreMatcher(documents: readonly ParsedDocument[]): (file: string) => boolean {
  const settings = documents.find((d) => (d.value as { kind?: unknown } | null)?.kind === 'Settings');
  const globs = (settings?.value as { spec?: { ignore?: unknown } } | undefined)?.spec?.ignore;
  if (!Array.isArray(globs) || globs.length === 0) return () => false;
  const patterns = globs.filter((g): g is string => typeof g === 'string');
  const match = picomatch(patterns, { dot: true });
  // A directory glob ("drafts/" or "drafts") also ignores everything below it.
  const prefixes = patterns.filter((p) => !/[*?[{]/.test(p)).map((p) => p.replace(/\/+$/, '') + '/');
  return (file) => match(file) || prefixes.some((p) => file.startsWith(p));
}
