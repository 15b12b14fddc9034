/**
 * Parses the YAML files of a snapshot into documents that remember where every node came
 * from. Syntax errors and duplicate keys are collected as diagnostics (CONTRIBUTING.md#3-collect-every-problem-then-report);
 * a file with errors contributes no documents, so later rules never see half-parsed input.
 *
 * Pure: works on bytes already read. Must not validate content beyond YAML itself.
 */
import * as jsYaml from 'js-yaml';
import { isScalar, LineCounter, parseAllDocuments, Scalar, visit, type Document, type YAMLError } from 'yaml';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { maxDefinitionFileBytes, type SourceFile } from './repository-snapshot.js';

export interface ParsedDocument {
  file: string;
  /** 0-based index of the document within its file. */
  index: number;
  /** Plain JSON-compatible value of the document. */
  value: unknown;
  /** File text, for code frames. */
  text: string;
  /** The YAML AST with node ranges, built on first use (only diagnostics need positions). */
  ast(): { yaml: Document.Parsed; lineCounter: LineCounter };
}

export interface ParsedFiles {
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
  /** File texts by path, for rendering code frames. */
  texts: Map<string, string>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Upper bound on alias expansion: refuses "billion laughs" documents (R-SEC-4). */
const maxAliasCount = 100;

/**
 * Parses `files`. `known` gives the document values of files whose text the caller wrote itself
 * from those values, as YAML with the core schema and without anchors (`jobnet import`'s
 * `yamlText`), which parses back to the very same values: those are taken as they are, and only
 * a diagnostic's position builds the file's AST.
 */
export function parseDocuments(
  files: readonly SourceFile[],
  oversized: ReadonlySet<string> = new Set(),
  maxFileBytes = maxDefinitionFileBytes,
  known?: ReadonlyMap<string, readonly unknown[]>,
): ParsedFiles {
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();

  for (const file of files) {
    if (oversized.has(file.path)) {
      diagnostics.push(
        diagnostic(
          'FILE-TOO-LARGE',
          `${file.path} is larger than the ${formatBytes(maxFileBytes)} limit for a definition file`,
          {
            file: file.path,
            line: 0,
            column: 0,
          },
        ),
      );
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(file.bytes);
    } catch {
      diagnostics.push(
        diagnostic('FILE-ENCODING', `${file.path} is not valid UTF-8`, { file: file.path, line: 0, column: 0 }),
      );
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    texts.set(file.path, text);
    const values = known?.get(file.path);
    if (values !== undefined) pushValues(file.path, text, values, lazyAst(text, false), documents);
    else parseFile(file.path, text, documents, diagnostics);
  }
  return { documents, diagnostics, texts };
}

/**
 * Two parsers, one result. Values come from js-yaml (core schema, duplicate keys refused),
 * which is several times faster on large repositories; the position-carrying AST of the
 * `yaml` library is built only when a diagnostic needs a location, or when the fast parse
 * fails — then the precise parser reports the syntax errors with their positions. Files with
 * anchors always take the precise path, so the alias-expansion limit applies (R-SEC-4).
 */
function parseFile(file: string, text: string, documents: ParsedDocument[], diagnostics: Diagnostic[]): void {
  const values = mayHaveAnchors(text) ? undefined : fastValues(text);
  // js-yaml refuses duplicate keys, so an AST built only to locate diagnostics need not look for
  // them again: the `yaml` library's check compares every key of a mapping with every other one,
  // seconds for a jobnet of 30,000 jobs.
  const ast = lazyAst(text, values === undefined);
  if (values) {
    pushValues(file, text, values, ast, documents);
    return;
  }
  preciseParse(file, text, ast, documents, diagnostics);
}

/** The documents of a file whose values are known (parsed by js-yaml, or given by the caller). */
function pushValues(
  file: string,
  text: string,
  values: readonly unknown[],
  ast: LazyAst,
  documents: ParsedDocument[],
): void {
  let ordinal = 0;
  values.forEach((value, index) => {
    if (value === null || value === undefined) return; // an empty document defines nothing
    const nth = ordinal++;
    documents.push({ file, index, value, text, ast: () => ast.nonEmptyDocument(nth) });
  });
}

function preciseParse(
  file: string,
  text: string,
  ast: LazyAst,
  documents: ParsedDocument[],
  diagnostics: Diagnostic[],
): void {
  const { docs, lineCounter } = ast.all();
  const fileDiagnostics: Diagnostic[] = [];
  docs.forEach((doc, index) => {
    for (const { error, offset } of reportedErrors(doc)) {
      const start = lineCounter.linePos(offset);
      const end = lineCounter.linePos(Math.max(offset, error.pos[1]));
      const code = error.code === 'DUPLICATE_KEY' ? 'YAML-DUPLICATE-KEY' : 'YAML-SYNTAX';
      fileDiagnostics.push(
        diagnostic(code, code === 'YAML-DUPLICATE-KEY' ? duplicateKeyMessage(text, error) : firstLine(error.message), {
          file,
          line: start.line,
          column: start.col,
          endLine: end.line,
          endColumn: end.col,
          document: index,
        }),
      );
    }
  });
  if (fileDiagnostics.length > 0) {
    diagnostics.push(...fileDiagnostics);
    return;
  }
  docs.forEach((doc, index) => {
    if (isEmptyDocument(doc)) return; // an empty document (e.g. a trailing `---`) defines nothing
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount });
    } catch (error) {
      // Too many aliases: the document as a whole is refused; point at its first content line.
      const pos = lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]);
      diagnostics.push(
        diagnostic('YAML-SYNTAX', firstLine(error instanceof Error ? error.message : String(error)), {
          file,
          line: pos.line,
          column: pos.col,
          document: index,
        }),
      );
      return;
    }
    documents.push({ file, index, value, text, ast: () => ({ yaml: doc, lineCounter }) });
  });
}

/**
 * The errors of a document worth reporting, with the offset each one points at. After its first
 * syntax error the parser recovers as best it can, and what it reports next is mostly a
 * consequence (a stray `}` yields one error for every later token), so only the first syntax
 * error of a document is kept; every duplicate key is a mistake of its own and is kept.
 * An unclosed quote is reported by the parser where the text ends; it points at the opening quote.
 */
function reportedErrors(doc: Document.Parsed): { error: YAMLError; offset: number }[] {
  const syntax = doc.errors
    .filter((e) => e.code !== 'DUPLICATE_KEY')
    .map((error) => ({
      error,
      offset: isUnclosedQuote(error) ? (openingQuoteOf(doc, error.pos[0]) ?? error.pos[0]) : error.pos[0],
    }))
    .sort((a, b) => a.offset - b.offset)
    .slice(0, 1);
  const duplicates = doc.errors
    .filter((e) => e.code === 'DUPLICATE_KEY')
    .map((error) => ({ error, offset: error.pos[0] }));
  return [...syntax, ...duplicates];
}

/** Names the repeated key; the parser's own message does not. */
function duplicateKeyMessage(text: string, error: YAMLError): string {
  // The error marks the start of the key; the key runs to the `:` that ends it on that line.
  const key = /^("[^"]*"|'[^']*'|[^:\n]*)/.exec(text.slice(error.pos[0]))?.[1]?.trim() ?? '';
  return key ? `the key ${JSON.stringify(key)} appears twice in the same mapping` : firstLine(error.message);
}

function isUnclosedQuote(error: YAMLError): boolean {
  return error.code === 'MISSING_CHAR' && /closing .?quote/.test(error.message);
}

/** Start of the quoted scalar whose text runs up to `end` without a closing quote, if any. */
function openingQuoteOf(doc: Document.Parsed, end: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range?.[1] === end) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

interface LazyAst {
  all(): { docs: Document.Parsed[]; lineCounter: LineCounter };
  /** The nth document that has content (both parsers agree on those, whatever they do with empty ones). */
  nonEmptyDocument(nth: number): { yaml: Document.Parsed; lineCounter: LineCounter };
}

function lazyAst(text: string, uniqueKeys: boolean): LazyAst {
  let built: { docs: Document.Parsed[]; lineCounter: LineCounter } | undefined;
  const all = () => {
    if (!built) {
      const lineCounter = new LineCounter();
      const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys, prettyErrors: false, strict: true });
      built = { docs: Array.isArray(parsed) ? parsed : [], lineCounter };
    }
    return built;
  };
  return {
    all,
    nonEmptyDocument(nth) {
      const { docs, lineCounter } = all();
      const doc = docs.filter((d) => !isEmptyDocument(d))[nth];
      if (!doc) throw new Error(`document ${nth + 1} with content not found when locating a diagnostic`);
      return { yaml: doc, lineCounter };
    },
  };
}

/** A document with no content, or only a null (`---` alone, `~`): it defines nothing. Both parse paths use this. */
function isEmptyDocument(doc: Document.Parsed): boolean {
  return doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
}

/** Document values by js-yaml, or undefined when it rejects the text (the precise path reports why). */
function fastValues(text: string): unknown[] | undefined {
  try {
    return jsYaml.loadAll(text, null, { schema: jsYaml.CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
}

/** Anchors (`&name`) enable aliases; such files are parsed by the precise parser with its alias limit. */
function mayHaveAnchors(text: string): boolean {
  return /(^|[\s[{,:-])&[^\s]/m.test(text);
}

/** What a parser running out of stack on deeply nested text reports instead of a position-carrying error. */
function isStackOverflow(message: string): boolean {
  return message.startsWith('Maximum call stack size exceeded');
}

const tooDeepMessage =
  'the YAML nests too deeply to be read (hundreds of levels of [ ], { } or indentation); a definition needs only a few levels';

function firstLine(message: string): string {
  if (isStackOverflow(message)) return tooDeepMessage;
  const line = message.split('\n')[0] ?? message;
  // The yaml library appends " at line L, column C" — we carry the position separately.
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes >= 1024
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`;
}
