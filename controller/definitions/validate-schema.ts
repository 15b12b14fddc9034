/**
 * Validates parsed documents against the JSON Schemas of their kind (CONTRIBUTING.md#2-the-schema-is-the-format, CONTRIBUTING.md#3-collect-every-problem-then-report) and
 * turns Ajv's errors into located diagnostics a person can act on: one message per problem,
 * naming the field, the allowed values and the likely typo — not a pile of `oneOf` noise.
 *
 * Pure apart from loading the schema files once.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import type { DiagnosticCode } from './diagnostic-codes.js';
import type { ParsedDocument } from './parse-documents.js';
import { loadSchemas } from './schema-files.js';
import { locate, pointerSegment, pointerToSegments } from './source-positions.js';

// ajv-formats is CommonJS with a default export that NodeNext types do not see as callable.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv2020) => Ajv2020;

export const supportedApiVersion = 'jobnet/v1';

interface SchemaSet {
  validators: Map<string, ValidateFunction>;
  /** Kinds a repository may contain, sorted (Bundle is an export file, not a repo document). */
  repositoryKinds: string[];
}

let schemaSet: SchemaSet | undefined;

/** Ajv options shared by every consumer of the schemas (validator, API, tests). */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  return ajv;
}

function getSchemaSet(): SchemaSet {
  if (schemaSet) return schemaSet;
  const ajv = createAjv();
  const schemas = Object.values(loadSchemas()) as Record<string, unknown>[];
  for (const schema of schemas) ajv.addSchema(schema);
  const validators = new Map<string, ValidateFunction>();
  for (const schema of schemas) {
    const kind = (schema.properties as Record<string, { const?: unknown }> | undefined)?.kind?.const;
    if (typeof kind === 'string' && typeof schema.$id === 'string') {
      validators.set(kind, ajv.getSchema(schema.$id) as ValidateFunction);
    }
  }
  schemaSet = { validators, repositoryKinds: [...validators.keys()].filter((k) => k !== 'Bundle').sort() };
  return schemaSet;
}

/** Kinds a definitions repository may contain (Bundle is an export file, not a repo document). */
export function repositoryKinds(): readonly string[] {
  return getSchemaSet().repositoryKinds;
}

/** Validates one document of any kind against its schema. Returns diagnostics (empty when valid). */
export function validateDocumentSchema(
  doc: ParsedDocument,
  allowedKinds: readonly string[] = repositoryKinds(),
): Diagnostic[] {
  const value = doc.value;
  const at = (pointer: string, key = false) => ({
    ...locate(doc, pointer, { key }),
    path: pointer,
    document: doc.index,
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      diagnostic(
        'DOC-NOT-MAPPING',
        'a definition document must be a mapping with apiVersion, kind, metadata and spec',
        at(''),
      ),
    ];
  }
  const record = value as Record<string, unknown>;
  const problems: Diagnostic[] = [];
  if (record.apiVersion !== supportedApiVersion) {
    problems.push(
      diagnostic(
        'DOC-API-VERSION',
        record.apiVersion === undefined
          ? `apiVersion is missing; use "${supportedApiVersion}"`
          : `apiVersion ${JSON.stringify(record.apiVersion)} is not supported; use "${supportedApiVersion}"`,
        at(record.apiVersion === undefined ? '' : '/apiVersion'),
      ),
    );
  }
  const kind = record.kind;
  if (typeof kind !== 'string' || !allowedKinds.includes(kind)) {
    const hint = kind === 'Bundle' ? ' (a Bundle is an export file: bring it in with `jobnet import`)' : '';
    problems.push(
      diagnostic(
        'DOC-KIND',
        kind === undefined
          ? `kind is missing; use one of ${allowedKinds.join(', ')}`
          : `kind ${JSON.stringify(kind)} is not a definition kind${hint}; use one of ${allowedKinds.join(', ')}`,
        at(kind === undefined ? '' : '/kind'),
      ),
    );
    return problems;
  }
  if (problems.length > 0) return problems;
  const validate = getSchemaSet().validators.get(kind);
  if (!validate || validate(value)) return [];
  const errors = (validate.errors ?? []).filter((e) => !isCheckedByRule(kind, e));
  return explainSchemaErrors(errors, value).map(({ code, message, pointer, key }) =>
    diagnostic(code, message, at(pointer, key)),
  );
}

/**
 * Schema errors left to a semantic rule. The schema keeps the bound so that editors flag it,
 * but the validator reports it under the rule's own code: R-JN-4's 255-job limit is JOB-LIMIT
 * (rules/check-job-graph.ts). Dropping it here also keeps the jobnet readable, so the rules
 * still check its jobs.
 */
function isCheckedByRule(kind: string, e: ErrorObject): boolean {
  return kind === 'Jobnet' && e.keyword === 'maxProperties' && e.instancePath === '/spec/jobs';
}

interface Explained {
  code: DiagnosticCode;
  message: string;
  pointer: string;
  key: boolean;
}

/**
 * Turns Ajv errors into one explanation per problem. Exposed for tests.
 * Alternatives (`oneOf`/`anyOf`) are collapsed: when exactly one alternative fits the value's
 * shape, only its errors are shown; when none does, one "must be X or Y" error is shown.
 */
export function explainSchemaErrors(errors: readonly ErrorObject[], value: unknown): Explained[] {
  let remaining = errors.filter((e) => e.keyword !== 'if');
  const alternatives = remaining
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  const replacements: ErrorObject[] = [];
  for (const alt of alternatives) {
    const prefix = alt.schemaPath + '/';
    const branchOf = (e: ErrorObject) => Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    const inside = remaining.filter((e) => e.schemaPath.startsWith(prefix));
    const branches = new Map<number, ErrorObject[]>();
    for (const e of inside) branches.set(branchOf(e), [...(branches.get(branchOf(e)) ?? []), e]);
    const fitting = [...branches.entries()].filter(
      ([, errs]) =>
        !errs.some((e) => e.instancePath === alt.instancePath && (e.keyword === 'type' || e.keyword === 'const')),
    );
    remaining = remaining.filter((e) => e !== alt && !e.schemaPath.startsWith(prefix));
    if (fitting.length > 0) {
      const best = fitting.sort((a, b) => a[1].length - b[1].length)[0]![1];
      remaining.push(...best);
    } else {
      const expected = new Set<string>();
      for (const errs of branches.values()) {
        for (const e of errs) {
          if (e.instancePath !== alt.instancePath) continue;
          if (e.keyword === 'type') expected.add(String((e.params as { type: unknown }).type));
          if (e.keyword === 'const') expected.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
        }
      }
      replacements.push({
        ...alt,
        keyword: 'type',
        params: { type: [...expected].join(' or ') },
        message: `must be ${[...expected].join(' or ')}`,
      });
    }
  }
  remaining.push(...replacements);
  // A missing discriminator tag is already reported as a missing required field.
  const missing = new Set(
    remaining
      .filter((e) => e.keyword === 'required')
      .map((e) => `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`),
  );
  remaining = remaining.filter(
    (e) =>
      !(
        e.keyword === 'discriminator' &&
        (e.params as { error: string }).error === 'tag' &&
        missing.has(`${e.instancePath}/${String((e.params as { tag: string }).tag)}`)
      ),
  );
  const seen = new Set<string>();
  const out: Explained[] = [];
  for (const e of remaining) {
    const explained = explainOne(e, value);
    const id = `${explained.code} ${explained.pointer} ${explained.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(explained);
    }
  }
  return out;
}

function explainOne(e: ErrorObject, root: unknown): Explained {
  const where = dotted(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const schema = (e.parentSchema ?? {}) as {
    title?: string;
    description?: string;
    properties?: Record<string, unknown>;
  };
  const actual = valueAt(root, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(params.additionalProperty ?? params.unevaluatedProperty);
      const allowed = allowedFields(e.parentSchema);
      const guess = closest(field, allowed);
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      const list = allowed.length > 0 ? `; allowed fields: ${allowed.join(', ')}` : '';
      return {
        code: 'SCHEMA-UNKNOWN-FIELD',
        message: `unknown field "${field}" in ${where}${hint}${list}`,
        pointer: `${e.instancePath}${pointerSegment(field)}`,
        key: true,
      };
    }
    case 'required':
      return {
        code: 'SCHEMA-REQUIRED',
        message: `${where} is missing the required field "${String(params.missingProperty)}"`,
        pointer: e.instancePath,
        key: false,
      };
    case 'type':
      return {
        code: 'SCHEMA-TYPE',
        message: `${where} must be ${String(params.type)}, not ${describe(actual)}`,
        pointer: e.instancePath,
        key: false,
      };
    case 'enum':
      return {
        code: 'SCHEMA-ENUM',
        message: `${where} is ${JSON.stringify(actual)}; allowed values: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        pointer: e.instancePath,
        key: false,
      };
    case 'const':
      return {
        code: 'SCHEMA-ENUM',
        message: `${where} is ${JSON.stringify(actual)}; it must be ${JSON.stringify(params.allowedValue)}`,
        pointer: e.instancePath,
        key: false,
      };
    case 'discriminator': {
      const tag = String(params.tag);
      const options = discriminatorValues(e.parentSchema, tag).map((v) => JSON.stringify(v));
      const tagValue = params.tagValue ?? valueAt(actual, pointerSegment(tag));
      if (tagValue === undefined) {
        // Ajv checks the tag before `required`, so a missing tag arrives here, not as `required`.
        return {
          code: 'SCHEMA-REQUIRED',
          message: `${where} is missing the required field "${tag}" (one of ${options.join(', ')})`,
          pointer: e.instancePath,
          key: false,
        };
      }
      return {
        code: 'SCHEMA-ENUM',
        message: `${where}.${tag} is ${JSON.stringify(tagValue)}; allowed values: ${options.join(', ')}`,
        pointer: `${e.instancePath}${pointerSegment(tag)}`,
        key: false,
      };
    }
    case 'pattern':
    case 'format': {
      const what = schema.title ?? (e.keyword === 'format' ? String(params.format) : 'value');
      const detail = schema.description ? ` — ${firstSentence(schema.description)}` : '';
      return {
        code: 'SCHEMA-FORMAT',
        message: `${where}: ${JSON.stringify(actual)} is not a valid ${what.charAt(0).toLowerCase()}${what.slice(1)}${detail}`,
        pointer: e.instancePath,
        key: false,
      };
    }
    case 'propertyNames': {
      return {
        code: 'SCHEMA-FORMAT',
        message: `${where} has an invalid name ${JSON.stringify(params.propertyName)}${schema.description ? ` — ${firstSentence(schema.description)}` : ''}`,
        pointer: `${e.instancePath}${pointerSegment(String(params.propertyName))}`,
        key: true,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
      return {
        code: 'SCHEMA-RANGE',
        message: `${where} ${rangeMessage(e.keyword, params.limit as number, actual)}`,
        pointer: e.instancePath,
        key: false,
      };
    case 'dependentRequired':
      return {
        code: 'SCHEMA-CONSTRAINT',
        message: `${where}: "${String(params.property)}" needs "${String(params.missingProperty)}" to be set as well`,
        // Point at the field that needs the other: that is the line a person wrote.
        pointer: `${e.instancePath}${pointerSegment(String(params.property))}`,
        key: true,
      };
    case 'uniqueItems':
      return {
        code: 'SCHEMA-CONSTRAINT',
        message: `${where} lists the same value twice (items ${String(params.j)} and ${String(params.i)})`,
        pointer: e.instancePath,
        key: false,
      };
    default:
      return {
        code: 'SCHEMA-CONSTRAINT',
        message: `${where} ${e.message ?? 'is invalid'}`,
        pointer: e.instancePath,
        key: false,
      };
  }
}

/**
 * Resolves a `{$ref: "#/$defs/name"}` branch to the `$defs` entry of the schema files (the
 * job and credential alternatives are such references); other values are returned as they are.
 */
function resolveDefinition(branch: unknown): unknown {
  const ref = (branch as { $ref?: unknown } | undefined)?.$ref;
  const name = typeof ref === 'string' ? /#\/\$defs\/([^/]+)$/.exec(ref)?.[1] : undefined;
  if (name === undefined) return branch;
  const schemas = Object.values(loadSchemas()) as { $defs?: Record<string, unknown> }[];
  return schemas.map((s) => s.$defs?.[name]).find((d) => d !== undefined) ?? branch;
}

/** The tag values a discriminated `oneOf` accepts (`properties.<tag>.const` of each branch). */
function discriminatorValues(parentSchema: unknown, tag: string): unknown[] {
  const branches = (parentSchema as { oneOf?: unknown[] } | undefined)?.oneOf ?? [];
  return branches
    .map((b) => (resolveDefinition(b) as { properties?: Record<string, { const?: unknown }> }).properties?.[tag]?.const)
    .filter((v) => v !== undefined);
}

/**
 * Fields an object schema accepts: its own `properties` and, for `unevaluatedProperties`, those
 * of the schemas it includes with `allOf` (the fields every job type shares come from `jobBase`).
 */
function allowedFields(parentSchema: unknown): string[] {
  const schema = parentSchema as { properties?: Record<string, unknown>; allOf?: unknown[] } | undefined;
  const included = (schema?.allOf ?? []).flatMap((b) => allowedFields(resolveDefinition(b)));
  return [...new Set([...Object.keys(schema?.properties ?? {}), ...included])];
}

function rangeMessage(keyword: string, limit: number, actual: unknown): string {
  switch (keyword) {
    case 'minimum':
      return `is ${String(actual)}; the minimum is ${limit}`;
    case 'maximum':
      return `is ${String(actual)}; the maximum is ${limit}`;
    case 'exclusiveMinimum':
      return `is ${String(actual)}; it must be greater than ${limit}`;
    case 'exclusiveMaximum':
      return `is ${String(actual)}; it must be less than ${limit}`;
    case 'minLength':
      return `is too short: at least ${limit} characters`;
    case 'maxLength':
      return `is too long (${typeof actual === 'string' ? [...actual].length : '?'} characters); at most ${limit}`;
    case 'minItems':
      return `needs at least ${limit} item${limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `has ${Array.isArray(actual) ? actual.length : '?'} items; at most ${limit}`;
    case 'minProperties':
      return `needs at least ${limit} entr${limit === 1 ? 'y' : 'ies'}`;
    default:
      return `has ${actual && typeof actual === 'object' ? Object.keys(actual).length : '?'} entries; at most ${limit}`;
  }
}

/** `/spec/jobs/submit/request` → `spec.jobs.submit.request`; the document root is "the document". */
export function dotted(pointer: string): string {
  const segments = pointerToSegments(pointer);
  if (segments.length === 0) return 'the document';
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointerToSegments(pointer)) {
    if (node && typeof node === 'object') node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function firstSentence(text: string): string {
  const match = /^(.*?[.。])(\s|$)/.exec(text);
  return (match?.[1] ?? text).trim();
}

/** The allowed name closest to a typo, if it is close enough to be a likely intent. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
