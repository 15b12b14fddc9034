/**
 * The definitions pipeline up to the typed model (docs/architecture.md#one-pipeline-from-source-to-status): parse every file of a
 * snapshot, drop ignored paths, validate each document against its schema, index by identity,
 * then run the named semantic rules. Every problem is collected; nothing throws for a user
 * mistake. `jobnet validate`, the controller and `plan` all call this one function.
 */
import picomatch from 'picomatch';
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic, type Result } from './diagnostics.js';
import {
  emptyIndex,
  identityOf,
  jobnetKey,
  mapForKind,
  type DefinitionIndex,
  type Located,
} from './definition-index.js';
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
import type { JobnetDocument } from './types.generated.js';

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

/**
 * Validates a snapshot whole: what `jobnet validate` and `plan` run. The same pipeline as
 * {@link RepositoryValidator}, with nothing remembered from an earlier snapshot.
 */
export function validateSnapshot(
  snapshot: RepositorySnapshot,
  options: ValidateOptions & { oversized?: readonly string[] } = {},
): Result<ValidatedRepository> {
  return new RepositoryValidator().validate(snapshot, options);
}

/** One document of a file, as the schema stage left it (computed once per file content). */
interface CheckedDocument {
  doc: ParsedDocument;
  problems: Diagnostic[];
  identity: { kind: string; key: string } | undefined;
  located: Located<unknown> | undefined;
}

/** What one file of a snapshot parsed to, kept while its content stays the same. */
interface FileEntry {
  bytes: Uint8Array;
  oversized: boolean;
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
  text: string | undefined;
  /** The schema stage of each document, on first need (an ignored file never needs it). */
  checked?: CheckedDocument[];
}

/** What the rules left of one validation: their diagnostics by the document they are reported on. */
interface RuleState {
  index: DefinitionIndex;
  hadClashes: boolean;
  /** Rule diagnostics by the located document they are reported on. */
  byDocument: Map<Located<unknown>, Diagnostic[]>;
}

/**
 * The definitions pipeline, remembering what it did for the last snapshot (the controller keeps
 * one across reconciles): a file whose bytes are unchanged is not parsed or schema-checked again,
 * and when only jobnets changed, the rules run again only on the changed jobnets and on those
 * connected to them by child calls or event scopes (transitively, both ways — a child's depth,
 * its parents' captured prefixes and a reference's target are all read across these links); the
 * rule diagnostics of every other document are kept. Any other change (Settings, a calendar, a
 * credential, an environment, a project, a day pattern, an incident policy, an identity clash)
 * runs every rule again. The result is the one {@link validateSnapshot} gives for the same
 * snapshot (test/definitions/incremental-validation.test.ts compares them edit by edit).
 */
export class RepositoryValidator {
  private files = new Map<string, FileEntry>();
  private rules: RuleState | undefined;

  validate(
    snapshot: RepositorySnapshot,
    options: ValidateOptions & { oversized?: readonly string[] } = {},
  ): Result<ValidatedRepository> {
    const { onProgress } = options;
    const oversized = new Set(options.oversized ?? []);
    const files = new Map<string, FileEntry>();
    for (const file of snapshot.files) {
      const isOversized = oversized.has(file.path);
      const known = options.knownValues?.get(file.path);
      const previous = known === undefined ? this.files.get(file.path) : undefined;
      if (previous !== undefined && previous.oversized === isOversized && sameBytes(previous.bytes, file.bytes)) {
        files.set(file.path, previous);
        continue;
      }
      const single = new Map<string, readonly unknown[]>(known !== undefined ? [[file.path, known]] : []);
      const parsed = parseDocuments(
        [file],
        isOversized ? new Set([file.path]) : new Set(),
        options.maxFileBytes,
        single,
      );
      files.set(file.path, {
        bytes: file.bytes,
        oversized: isOversized,
        documents: parsed.documents,
        diagnostics: parsed.diagnostics,
        text: parsed.texts.get(file.path),
      });
    }
    // What `jobnet import` handed in as values is not kept: the next snapshot parses those files.
    this.files = options.knownValues === undefined ? files : new Map<string, FileEntry>();
    onProgress?.('parse', snapshot.files.length, snapshot.files.length);

    const entries = [...files.values()];
    const ignored = ignoreMatcher(entries.flatMap((entry) => entry.documents));
    const kept = [...files].filter(([path]) => !ignored(path));
    const documents = kept.flatMap(([, entry]) => entry.documents);
    const texts = new Map<string, string>();
    for (const [path, entry] of files) if (entry.text !== undefined) texts.set(path, entry.text);
    const diagnostics: Diagnostic[] = [
      ...kept.flatMap(([, entry]) => entry.diagnostics),
      ...linkDiagnostics(snapshot.links ?? []).filter((d) => !ignored(d.file)),
    ];
    const fileCount = kept.length;

    const index = emptyIndex();
    const clashes: IdentityClash[] = [];
    let done = 0;
    for (const [, entry] of kept) {
      entry.checked ??= entry.documents.map(checkDocument);
      for (const { problems, identity, located } of entry.checked) {
        diagnostics.push(...problems);
        if (done++ % 500 === 0) onProgress?.('schema', done - 1, documents.length);
        if (!identity || !located) continue;
        if (identity.kind === 'Settings') {
          if (index.settings)
            clashes.push({ kind: 'Settings', key: identity.key, first: index.settings, second: located });
          else index.settings = located as DefinitionIndex['settings'];
          continue;
        }
        const map = mapForKind(index, identity.kind);
        if (!map) continue;
        const existing = map.get(identity.key);
        if (existing) clashes.push({ kind: identity.kind, key: identity.key, first: existing, second: located });
        else map.set(identity.key, located);
      }
    }
    onProgress?.('schema', documents.length, documents.length);

    const affected = clashes.length === 0 ? this.affectedJobnets(index) : undefined;
    const byDocument = new Map<Located<unknown>, Diagnostic[]>();
    const ruleIndex =
      affected === undefined
        ? index
        : { ...index, jobnets: new Map([...index.jobnets].filter(([key]) => affected.has(key))) };
    const context: RuleContext = {
      index: ruleIndex,
      report(code, message, at, pointer, reportOptions = {}) {
        const where = {
          ...locate(at.doc, pointer, { key: reportOptions.key ?? false }),
          path: pointer,
          document: at.doc.index,
        };
        const related = reportOptions.related?.map((r) => ({ ...locate(r.at.doc, r.pointer), message: r.message }));
        const reported = diagnostic(code, message, where, related ? { related } : {});
        const list = byDocument.get(at);
        if (list === undefined) byDocument.set(at, [reported]);
        else list.push(reported);
      },
    };
    if (affected === undefined || affected.size > 0) {
      reportIdentityClashes(context, clashes);
      semanticRules.forEach((rule, i) => {
        rule(context);
        onProgress?.('rules', i + 1, semanticRules.length);
      });
    } else {
      onProgress?.('rules', semanticRules.length, semanticRules.length);
    }
    if (affected !== undefined && this.rules !== undefined) {
      // Only the affected jobnets were checked again: every other document keeps what it had.
      const checked = new Set<Located<unknown>>(ruleIndex.jobnets.values());
      for (const located of byDocument.keys()) if (!checked.has(located)) byDocument.delete(located);
      const current = new Set<Located<unknown>>(index.jobnets.values());
      for (const [located, list] of this.rules.byDocument) {
        if (checked.has(located) || byDocument.has(located)) continue;
        if (isJobnetDocument(located) && !current.has(located)) continue; // a jobnet no longer there
        byDocument.set(located, list);
      }
    }
    this.rules = { index, hadClashes: clashes.length > 0, byDocument };
    for (const list of byDocument.values()) diagnostics.push(...list);

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

    // Diagnostics are kept from one validation to the next: the result gets copies of its own.
    const result = diagnostics.map((d) =>
      snapshot.revision !== undefined ? { ...d, revision: snapshot.revision } : { ...d },
    );
    sortDiagnostics(result);
    const value: ValidatedRepository = { index, documents, texts, fileCount };
    if (snapshot.revision !== undefined) value.revision = snapshot.revision;
    return { ok: !hasErrors(result), value, diagnostics: result };
  }

  /**
   * The keys of the jobnets whose rule diagnostics may differ from the last validation's, or
   * undefined when every rule must run again (no earlier validation, an identity clash then, or a
   * change to a document that is not a jobnet).
   */
  private affectedJobnets(index: DefinitionIndex): Set<string> | undefined {
    const previous = this.rules;
    if (previous === undefined || previous.hadClashes) return undefined;
    const before = previous.index;
    if (before.settings !== index.settings) return undefined;
    for (const kind of [
      'calendars',
      'dayPatterns',
      'credentials',
      'environments',
      'projects',
      'incidentPolicies',
    ] as const)
      if (!sameEntries(before[kind], index[kind])) return undefined;
    const changed = new Set<string>();
    for (const [key, located] of index.jobnets) if (before.jobnets.get(key) !== located) changed.add(key);
    for (const key of before.jobnets.keys()) if (!index.jobnets.has(key)) changed.add(key);
    if (changed.size === 0) return changed;
    // Links between jobnets, both ways, from the jobnets as they were and as they are.
    const links = new Map<string, Set<string>>();
    const link = (a: string, b: string): void => {
      let set = links.get(a);
      if (set === undefined) links.set(a, (set = new Set()));
      set.add(b);
    };
    for (const jobnets of [before.jobnets, index.jobnets]) {
      for (const [key, located] of jobnets) {
        for (const other of mentionedJobnets(located)) {
          link(key, other);
          link(other, key);
        }
      }
    }
    const affected = new Set(changed);
    const queue = [...changed];
    for (let head = 0; head < queue.length; head++) {
      for (const next of links.get(queue[head]!) ?? []) {
        if (affected.has(next)) continue;
        affected.add(next);
        queue.push(next);
      }
    }
    return affected;
  }
}

function checkDocument(doc: ParsedDocument): CheckedDocument {
  const problems = validateDocumentSchema(doc);
  const identity = problems.some((p) => p.code.startsWith('DOC-')) ? undefined : identityOf(doc.value);
  const located: Located<unknown> | undefined = identity
    ? { doc, value: doc.value, schemaErrorPaths: problems.map((p) => p.path) }
    : undefined;
  return { doc, problems, identity, located };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sameEntries(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

function isJobnetDocument(located: Located<unknown>): boolean {
  return (located.value as { kind?: unknown } | null)?.kind === 'Jobnet';
}

const mentionsCache = new WeakMap<Located<unknown>, readonly string[]>();

/**
 * The keys of the jobnets a jobnet names, as any rule may read them: every `jobnet` field of its
 * jobs, in its own project and in the project its job names (child calls, event scopes). Read
 * without regard to the job's type or schema errors, so the links are never fewer than a rule's.
 */
function mentionedJobnets(located: Located<JobnetDocument>): readonly string[] {
  const cached = mentionsCache.get(located);
  if (cached !== undefined) return cached;
  const mentions = new Set<string>();
  const value = located.value as { metadata?: { project?: unknown }; spec?: { jobs?: unknown } } | null;
  const ownProject = value?.metadata?.project;
  const jobs = value?.spec?.jobs;
  if (typeof ownProject === 'string' && typeof jobs === 'object' && jobs !== null) {
    for (const job of Object.values(jobs as Record<string, unknown>)) {
      if (typeof job !== 'object' || job === null) continue;
      const { jobnet, project } = job as { jobnet?: unknown; project?: unknown };
      if (typeof jobnet !== 'string') continue;
      mentions.add(jobnetKey(ownProject, jobnet));
      if (typeof project === 'string') mentions.add(jobnetKey(project, jobnet));
    }
  }
  const list = [...mentions];
  mentionsCache.set(located, list);
  return list;
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
