/**
 * The bundle file of `jobnet export` / `jobnet import` (R-EXP-1, `schemas/bundle.schema.json`):
 * its shape, its checksum and its text. The sha256 covers the canonical content — the project
 * name, the definitions (sorted by identity, object keys sorted, as `canonicalJson` writes them),
 * and, when they are included, the frozen start days with their year and the jobnet state — and
 * nothing else: not `exportedAt`, not `source`, not key order, comments or the file layout the
 * definitions were read from. The same definitions therefore always give the same sha256,
 * wherever and whenever they were exported.
 *
 * Reading a bundle checks, in this order, and refuses with a message naming what is wrong: the
 * YAML, one document, `kind: Bundle`, `apiVersion: jobnet/v1`, the fields the schema requires with their
 * types, then the checksum. The definitions themselves are checked later by the validator, once
 * they are laid out as files.
 *
 * The YAML is read by the fast parser first. A bundle export writes has no anchors or aliases;
 * when the fast parser fails, or its value shares a mapping or list between two places (which
 * only an alias makes), the text is read again by the definitions parser, which locates the
 * error and whose alias-expansion limit refuses alias bombs. The fast path does not depend on a
 * search for `&` in the text, which `&&` in a command would defeat (a bundle of 20 MiB then took
 * the slow parser: 13 s and 1 GiB instead of 2 s).
 *
 * Pure: no I/O. Controller side (node:crypto); must not be imported by workflow code.
 */
import { createHash } from 'node:crypto';
import * as jsYaml from 'js-yaml';
import { canonicalJson } from '../compile/jobnet-digest.js';
import { identityOf } from '../definitions/definition-index.js';
import { parseDocuments } from '../definitions/parse-documents.js';

/** The only bundle format version read and written. */
export const bundleApiVersion = 'jobnet/v1';
export const bundleKind = 'Bundle';
/** Largest bundle file import reads (R-EXP-3); larger ones are refused before they are read. */
export const maxBundleBytes = 200 * 1024 * 1024;

/** Held/disabled state of a jobnet carried with `--with-state` (R-EXP-2). */
export interface JobnetExportState {
  held?: boolean;
  disabled?: boolean;
}

export interface BundleOptions {
  withStartDays?: boolean;
  withState?: boolean;
  year?: number;
}

/** A bundle document (`schemas/bundle.schema.json`). */
export interface Bundle {
  apiVersion: string;
  kind: 'Bundle';
  exportedAt: string;
  project: string;
  source?: { revision?: string; repo?: string };
  sha256: string;
  options?: BundleOptions;
  /** Definition documents as plain JSON values, in identity order. */
  definitions: unknown[];
  /** Jobnet name → start days of `options.year`. */
  startDays?: Record<string, string[]>;
  /** Jobnet name → state. */
  state?: Record<string, JobnetExportState>;
}

/** The part of a bundle its checksum covers. */
export interface BundleContent {
  project: string;
  definitions: readonly unknown[];
  startDays?: Record<string, string[]>;
  year?: number;
  state?: Record<string, JobnetExportState>;
}

/** Sort key of a definition: kind, project (jobnets), name — the identity of R-REPO-3. */
export function definitionSortKey(value: unknown): string {
  const identity = identityOf(value);
  return identity === undefined ? '\uffff' : `${identity.kind}\u0000${identity.key}`;
}

/** The definitions in identity order (a copy). */
export function sortDefinitions(definitions: readonly unknown[]): unknown[] {
  return definitions
    .map((value) => ({ key: definitionSortKey(value), value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.value);
}

/**
 * The sha256 (64 lowercase hex digits) of the canonical content (see the module header).
 * @throws TypeError when a value is not plain JSON (a non-finite number), which no parsed YAML
 *   definition that validated holds.
 */
export function bundleChecksum(content: BundleContent): string {
  const hash = createHash('sha256');
  hash.update(`project:${canonicalJson(content.project)}\n`);
  for (const definition of sortDefinitions(content.definitions)) hash.update(canonicalJson(definition) + '\n');
  if (content.startDays !== undefined) {
    hash.update(`startDays:${canonicalJson(content.year ?? null)}:${canonicalJson(content.startDays)}\n`);
  }
  if (content.state !== undefined) hash.update(`state:${canonicalJson(content.state)}\n`);
  return hash.digest('hex');
}

/** Assembles a bundle with its checksum; the definitions are put in identity order. */
export function buildBundle(
  content: BundleContent,
  exportedAt: string,
  source: { revision?: string; repo?: string },
): Bundle {
  const options: BundleOptions = {
    withStartDays: content.startDays !== undefined,
    withState: content.state !== undefined,
  };
  if (content.startDays !== undefined && content.year !== undefined) options.year = content.year;
  const bundle: Bundle = {
    apiVersion: bundleApiVersion,
    kind: bundleKind,
    exportedAt,
    project: content.project,
    sha256: bundleChecksum(content),
    options,
    definitions: sortDefinitions(content.definitions),
  };
  if (source.repo !== undefined || source.revision !== undefined) bundle.source = { ...source };
  if (content.startDays !== undefined) bundle.startDays = content.startDays;
  if (content.state !== undefined) bundle.state = content.state;
  return bundle;
}

/** YAML text of a value, as export and import write it: no anchors, no folding, core schema. */
export function yamlText(value: unknown): string {
  return jsYaml.dump(value, { noRefs: true, lineWidth: -1, schema: jsYaml.CORE_SCHEMA });
}

/** The bundle file's text: a comment line, then the bundle as YAML. */
export function renderBundle(bundle: Bundle): string {
  return [...renderBundleParts(bundle)].join('');
}

/**
 * The bundle file's text in parts, one per definition (for a streamed answer): joined, the same
 * text as the comment line followed by `yamlText(bundle)`.
 */
export function* renderBundleParts(bundle: Bundle): Generator<string> {
  yield `# jobnet bundle of project ${bundle.project}; read it with jobnet import (docs/bundles.md)\n`;
  for (const [key, value] of Object.entries(bundle) as [string, unknown][]) {
    if (value === undefined) continue;
    if (key !== 'definitions' || !Array.isArray(value) || value.length === 0) {
      yield yamlText({ [key]: value });
      continue;
    }
    yield 'definitions:\n';
    for (const definition of value as unknown[]) {
      // A list item nested in the top-level mapping is indented by two spaces, every line of it.
      yield yamlText([definition]).replace(/^(?=.)/gm, '  ');
    }
  }
}

/** `P_yyyyMMddHHmmss.yaml` (R-EXP-1), in UTC. */
export function defaultBundleFileName(project: string, now: number): string {
  const iso = new Date(now).toISOString();
  const stamp = iso.slice(0, 19).replace(/[-:T]/g, '');
  return `${project}_${stamp}.yaml`;
}

export type BundleReading = { ok: true; bundle: Bundle } | { ok: false; message: string };

/**
 * Reads and checks a bundle file's text (see the module header). `file` names it in messages.
 * Never throws for bad input.
 */
export function readBundle(file: string, text: string): BundleReading {
  let value = fastBundleValue(text);
  if (value === undefined) {
    const parsed = parseDocuments([{ path: file, bytes: new TextEncoder().encode(text) }]);
    const problem = parsed.diagnostics[0];
    if (problem !== undefined) {
      return { ok: false, message: `${file}:${problem.line}:${problem.column}: ${problem.message}` };
    }
    if (parsed.documents.length !== 1) {
      return {
        ok: false,
        message: `${file} holds ${parsed.documents.length} YAML documents; a bundle is one document`,
      };
    }
    value = parsed.documents[0]!.value;
  }
  const shape = checkShape(value);
  if (shape !== undefined) return { ok: false, message: `${file}: ${shape}` };
  const bundle = value as Bundle;
  const content: BundleContent = { project: bundle.project, definitions: bundle.definitions };
  if (bundle.startDays !== undefined) {
    content.startDays = bundle.startDays;
    if (bundle.options?.year !== undefined) content.year = bundle.options.year;
  }
  if (bundle.state !== undefined) content.state = bundle.state;
  let actual: string;
  try {
    actual = bundleChecksum(content);
  } catch (error) {
    return { ok: false, message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (actual !== bundle.sha256) {
    return {
      ok: false,
      message: `${file}: checksum mismatch — the file says sha256 ${bundle.sha256} but its content hashes to ${actual}; the bundle was changed after it was exported (or damaged), so it is not imported`,
    };
  }
  return { ok: true, bundle };
}

/**
 * The one document of `text` read by js-yaml (core schema), or undefined when the definitions
 * parser must read it: js-yaml refuses it, it is not exactly one document with content, or a
 * mapping or list appears in two places (an alias).
 */
function fastBundleValue(text: string): unknown {
  let values: unknown[];
  try {
    values = jsYaml.loadAll(text, null, { schema: jsYaml.CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  const documents = values.filter((value) => value !== null && value !== undefined);
  if (documents.length !== 1) return undefined;
  const value = documents[0];
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (seen.has(node)) return undefined;
    seen.add(node);
    if (Array.isArray(node)) for (const item of node) pending.push(item);
    else for (const key in node) pending.push((node as Record<string, unknown>)[key]);
  }
  return value;
}

const bundleFields = new Set([
  'apiVersion',
  'kind',
  'exportedAt',
  'project',
  'source',
  'sha256',
  'options',
  'definitions',
  'startDays',
  'state',
]);

/** What is wrong with the shape of a bundle value, or undefined. */
function checkShape(value: unknown): string | undefined {
  if (!isRecord(value)) return 'a bundle is a YAML mapping with kind: Bundle';
  if (value.kind !== bundleKind) {
    return `kind is ${JSON.stringify(value.kind ?? null)}; this file is not a bundle (kind: ${bundleKind})`;
  }
  if (value.apiVersion !== bundleApiVersion) {
    return `apiVersion ${JSON.stringify(value.apiVersion ?? null)} is not supported; this jobnet reads bundles of apiVersion ${bundleApiVersion}`;
  }
  for (const key of Object.keys(value)) if (!bundleFields.has(key)) return `unknown field "${key}"`;
  if (typeof value.exportedAt !== 'string') return 'exportedAt is missing or not a date-time';
  if (typeof value.project !== 'string' || value.project === '') return 'project is missing or not a name';
  if (typeof value.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(value.sha256)) {
    return 'sha256 is missing or not 64 lowercase hexadecimal digits';
  }
  if (!Array.isArray(value.definitions)) return 'definitions is missing or not a list';
  if (value.source !== undefined && !isRecord(value.source)) return 'source is not a mapping';
  const options = value.options;
  if (options !== undefined) {
    if (!isRecord(options)) return 'options is not a mapping';
    if (options.year !== undefined && (!Number.isInteger(options.year) || typeof options.year !== 'number')) {
      return 'options.year is not a whole number';
    }
  }
  if (value.startDays !== undefined) {
    if (!isRecord(value.startDays)) return 'startDays is not a mapping of jobnet name to dates';
    for (const [name, days] of Object.entries(value.startDays)) {
      if (!Array.isArray(days) || !days.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d))) {
        return `startDays.${name} is not a list of YYYY-MM-DD dates`;
      }
    }
    if (!isRecord(options) || typeof options.year !== 'number') return 'startDays needs options.year';
  }
  if (value.state !== undefined) {
    if (!isRecord(value.state)) return 'state is not a mapping of jobnet name to state';
    for (const [name, state] of Object.entries(value.state)) {
      if (!isRecord(state) || Object.keys(state).some((k) => k !== 'held' && k !== 'disabled')) {
        return `state.${name} may hold only held and disabled`;
      }
      if (Object.values(state).some((v) => typeof v !== 'boolean'))
        return `state.${name}: held and disabled are true or false`;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
