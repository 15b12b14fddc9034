/**
 * Renders docs/definitions.md, the reference of the definition format, from the JSON Schemas
 * (CONTRIBUTING.md#2-the-schema-is-the-format: validation, types and docs come from the same schemas; R-REPO-5).
 *
 * Pure: takes the parsed schema files (as `loadSchemas` returns them) and returns Markdown. It must
 * not read or write files, and the text must depend on nothing but the schemas (no dates, no
 * environment), so that a test can compare it with the committed page.
 */
import {
  bundleKind,
  combinedSchemaFile,
  commonSchemaFile,
  definitionKinds,
  type JsonSchema,
  type KindSchemaFile,
} from './schema-files.js';

/** One line of a field table. */
interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  defaultValue: string;
  allowed: string;
  description: string;
}

/** A table with a heading: a kind's fields, or the fields of one alternative (a job type). */
interface FieldSection {
  heading: string;
  intro: string;
  rows: FieldRow[];
}

/** A subschema together with the schema file its relative `$ref`s resolve against. */
interface Located {
  schema: JsonSchema;
  file: string;
  /** `title` of the `$defs` entry or schema the subschema was reached through, if any. */
  title?: string;
  /** Whether the subschema is a whole document schema (reached by a `$ref` without fragment). */
  isDocument: boolean;
}

type Schemas = Readonly<Record<string, JsonSchema>>;

/**
 * The Markdown of docs/definitions.md.
 * @throws Error when a `$ref` does not resolve within `schemas` (a schema authoring mistake).
 */
export function renderDefinitionDocs(schemas: Schemas): string {
  const out: string[] = [];
  out.push('# Definition format reference', '');
  out.push(
    '<!-- Generated from schemas/*.schema.json by `npm run gen:docs`. Do not edit: change the schemas and regenerate. -->',
    '',
  );
  out.push(...renderIntroduction(schemas));
  out.push(...renderEnvelope(schemas));
  for (const kind of [...definitionKinds, bundleKind]) out.push(...renderKind(schemas, kind));
  out.push(...renderValueTypes(schemas));
  return `${out.join('\n').trimEnd()}\n`;
}

function renderIntroduction(schemas: Schemas): string[] {
  const kindList = definitionKinds.map((k) => `\`${k.kind}\``).join(', ');
  return [
    'Definitions are YAML documents in a git repository (R-REPO-1). Every `*.yaml`/`*.yml` file outside',
    'dot-directories and `Settings.spec.ignore` is loaded, and a file may hold several documents separated',
    `by \`---\`. A document is one of the kinds ${kindList}; export files hold a \`Bundle\` (R-EXP-1).`,
    '',
    'Each kind is described by a JSON Schema (draft 2020-12) in `schemas/`; this page, the TypeScript',
    'types and the validator all come from those schemas. A document is checked in two steps: first',
    'against the schema (unknown fields, types, ranges, patterns), then by named semantic rules that need',
    'more than one field or document (references, cycles, byte lengths of non-ASCII names, literal',
    'secrets, mutually exclusive fields). Both report the file, line, column and a stable code',
    '(docs/errors.md).',
    '',
    '**Editor support (R-REPO-5).** `jobnet schema --out DIR` writes one self-contained schema per kind',
    `and \`${combinedSchemaFile}\`, which accepts a document of any kind and picks the schema by \`kind\`.`,
    'Map it to the definition files in yaml-language-server (VS Code `yaml.schemas`), for example',
    `\`"yaml.schemas": {"./.schemas/${combinedSchemaFile}": ["**/*.yaml"]}\`, or put`,
    `\`# yaml-language-server: $schema=<path>/${combinedSchemaFile}\` at the top of a file.`,
    '',
    '**Reading the tables.** *Field* is the path from the document root: `.` enters an object, `<name>`',
    'stands for a key you choose (a job name, a variable name, …), and `[]` for each entry of a list.',
    '*Type* gives the JSON type and, in parentheses, the name of the shared type (the same name as in the',
    'generated TypeScript types). A field whose description starts with **Secret:** must be written as a',
    'reference, `{secretRef: {env: NAME}}` or `{secretRef: {file: /path}}`; a literal value there is an',
    `error (R-CRED-3). Shared value formats (durations, times, names) are listed at the end. Schema files:`,
    Object.keys(schemas)
      .sort()
      .map((file) => `\`schemas/${file}\``)
      .join(', ') + '.',
    '',
  ];
}

function renderEnvelope(schemas: Schemas): string[] {
  const apiVersion = resolveRef(schemas, `${commonSchemaFile}#/$defs/apiVersion`, commonSchemaFile);
  const lines = [
    '## Document envelope',
    '',
    'Every definition document has the same four top-level fields; `kind` selects the schema of the rest',
    '(R-REPO-1). Identity comes from `metadata` — `kind` + `name`, plus `project` for a Jobnet — not from',
    'the file path (R-REPO-3). A Bundle (export file) has its own top-level fields instead of `metadata`',
    'and `spec`.',
    '',
    '| Field | Type | Required | Description |',
    '| --- | --- | --- | --- |',
    `| \`apiVersion\` | string | yes | ${cell(describe(apiVersion.schema))} |`,
    `| \`kind\` | string | yes | The document kind: ${[...definitionKinds, bundleKind].map((k) => `\`${k.kind}\``).join(', ')}. |`,
    '| `metadata` | object | yes | Name, title, description and labels; for a Jobnet also `project` (R-REPO-3, R-REPO-4). |',
    '| `spec` | object | yes | The content of the definition; its fields depend on `kind`. |',
    '',
    '| Kind | Schema | Recommended file (R-REPO-2) | What it is |',
    '| --- | --- | --- | --- |',
  ];
  for (const kind of [...definitionKinds, bundleKind]) {
    const schema = requireFile(schemas, kind.file);
    lines.push(
      `| [${kind.kind}](#${kind.kind.toLowerCase()}) | \`schemas/${kind.file}\` | \`${kind.recommendedPath}\` | ${cell(describe(schema))} |`,
    );
  }
  lines.push('');
  return lines;
}

function renderKind(schemas: Schemas, kind: KindSchemaFile): string[] {
  const schema = requireFile(schemas, kind.file);
  const rows: FieldRow[] = [];
  const sections: FieldSection[] = [];
  const context: WalkContext = { schemas, sections, stack: [] };
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  for (const [name, property] of Object.entries(properties)) {
    walkField(context, rows, property, kind.file, name, required.includes(name));
  }
  const lines = [`## ${kind.kind}`, '', describe(schema), '', ...renderTable(rows), ''];
  for (const section of sections) {
    lines.push(`### ${section.heading}`, '');
    if (section.intro) lines.push(section.intro, '');
    lines.push(...renderTable(section.rows), '');
  }
  return lines;
}

function renderValueTypes(schemas: Schemas): string[] {
  const common = requireFile(schemas, commonSchemaFile);
  const lines = [
    '## Shared value formats',
    '',
    'Value types used by several kinds (`schemas/common.schema.json`).',
    '',
    '| Type | JSON type | Allowed values | Description |',
    '| --- | --- | --- | --- |',
  ];
  const definitions = (common.$defs ?? {}) as Record<string, JsonSchema>;
  for (const definition of Object.values(definitions)) {
    const located: Located = { schema: definition, file: commonSchemaFile, isDocument: false };
    if ((hasObjectShape(located.schema) && !Array.isArray(definition.type)) || isMap(located.schema)) continue;
    lines.push(
      `| ${String(definition.title)} | ${cell(jsonTypeText(schemas, located))} | ${cell(allowedText(schemas, located))} | ${cell(describe(definition))} |`,
    );
  }
  lines.push('');
  return lines;
}

function renderTable(rows: readonly FieldRow[]): string[] {
  return [
    '| Field | Type | Required | Default | Allowed values | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.defaultValue)} | ${cell(row.allowed)} | ${cell(row.description)} |`,
    ),
  ];
}

interface WalkContext {
  schemas: Schemas;
  sections: FieldSection[];
  /** `$ref` targets being expanded, to stop on a recursive schema. */
  stack: string[];
}

/** Adds the row of one field and the rows of everything below it. */
function walkField(
  context: WalkContext,
  rows: FieldRow[],
  schema: JsonSchema,
  file: string,
  path: string,
  required: boolean,
): void {
  const located = follow(context.schemas, schema, file);
  const key = `${located.file}:${located.title ?? ''}`;
  if (located.title && context.stack.includes(key)) return;
  rows.push(fieldRow(context.schemas, located, path, required));
  if (located.isDocument) return;
  context.stack.push(key);
  try {
    walkChildren(context, rows, located, path);
  } finally {
    context.stack.pop();
  }
}

function walkChildren(context: WalkContext, rows: FieldRow[], located: Located, path: string): void {
  const { schema, file } = located;
  if (isDiscriminated(schema)) {
    addAlternativeSections(context, located, path);
    return;
  }
  if (isSharedAlternative(located)) return;
  for (const property of ownProperties(context.schemas, located)) {
    walkField(context, rows, property.schema, property.file, `${path}.${property.name}`, property.required);
  }
  if (isMap(schema)) {
    walkField(context, rows, schema.additionalProperties as JsonSchema, file, `${path}.<name>`, false);
  }
  if (typeof schema.items === 'object' && schema.items !== null) {
    const item = follow(context.schemas, schema.items as JsonSchema, file);
    if (isDiscriminated(item.schema)) {
      walkField(context, rows, schema.items as JsonSchema, file, `${path}[]`, false);
    } else {
      walkChildren(context, rows, item, `${path}[]`);
    }
  }
  for (const branch of (schema.anyOf ?? []) as JsonSchema[]) {
    walkChildren(context, rows, follow(context.schemas, branch, file), path);
  }
}

/**
 * For a schema that selects one of several alternatives by a tag (`discriminator`), adds one
 * section with the fields every alternative shares and one section per alternative.
 */
function addAlternativeSections(context: WalkContext, located: Located, path: string): void {
  const tag = (located.schema.discriminator as { propertyName: string }).propertyName;
  const branches = (located.schema.oneOf as JsonSchema[]).map((b) => follow(context.schemas, b, located.file));
  if (branches.some((b) => b.isDocument)) return;
  const baseRefs = branches.map((b) => ((b.schema.allOf ?? []) as JsonSchema[]).map((a) => String(a.$ref)).join(' '));
  const sharedBase = baseRefs.every((r) => r === baseRefs[0]) && baseRefs[0] !== '' ? branches[0] : undefined;
  if (sharedBase) {
    const rows: FieldRow[] = [];
    for (const base of (sharedBase.schema.allOf ?? []) as JsonSchema[]) {
      for (const property of ownProperties(context.schemas, follow(context.schemas, base, sharedBase.file))) {
        const isRequired = property.required || property.name === tag;
        walkField(context, rows, property.schema, property.file, `${path}.${property.name}`, isRequired);
      }
    }
    context.sections.push({
      heading: `\`${path}\`: fields of every \`${tag}\``,
      intro: `${located.title ?? 'The value'} is selected by \`${tag}\`; these fields are allowed whatever the \`${tag}\`. The following sections list the fields of each \`${tag}\`.`,
      rows,
    });
  }
  for (const branch of branches) {
    const rows: FieldRow[] = [];
    const properties = (branch.schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = (branch.schema.required ?? []) as string[];
    for (const [name, property] of Object.entries(properties)) {
      walkField(context, rows, property, branch.file, `${path}.${name}`, required.includes(name));
    }
    const value = (properties[tag]?.const ?? '') as string;
    context.sections.push({
      heading: `\`${path}\` with \`${tag}: ${value}\`${branch.title ? ` (${branch.title})` : ''}`,
      intro: describe(branch.schema),
      rows,
    });
  }
}

/** A property of an object schema, with the file its refs resolve against. */
interface PropertyEntry {
  name: string;
  schema: JsonSchema;
  required: boolean;
  file: string;
}

/** Properties of an object schema, including those of its `allOf` bases. */
function ownProperties(schemas: Schemas, located: Located): PropertyEntry[] {
  const result: PropertyEntry[] = [];
  for (const base of (located.schema.allOf ?? []) as JsonSchema[]) {
    result.push(...ownProperties(schemas, follow(schemas, base, located.file)));
  }
  const properties = (located.schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (located.schema.required ?? []) as string[];
  for (const [name, schema] of Object.entries(properties)) {
    result.push({ name, schema, required: required.includes(name), file: located.file });
  }
  return result;
}

function fieldRow(schemas: Schemas, located: Located, path: string, required: boolean): FieldRow {
  const { schema } = located;
  return {
    path,
    type: jsonTypeText(schemas, located),
    required,
    defaultValue: schema.default === undefined ? '' : `\`${formatValue(schema.default)}\``,
    allowed: allowedText(schemas, located),
    description: describe(schema),
  };
}

/**
 * "string (Duration)", "array of IsoDate", "map of string", "object (RestRequest)", …: the JSON
 * type, with the shared type's name in parentheses; inside a list or map, the name alone.
 */
function jsonTypeText(schemas: Schemas, located: Located, inner = false): string {
  const { schema, file } = located;
  if (inner && located.title) return located.title;
  const named = (text: string) => (located.title ? `${text} (${located.title})` : text);
  if (isDiscriminated(schema)) {
    const tag = (schema.discriminator as { propertyName: string }).propertyName;
    return named(`object, by \`${tag}\``);
  }
  if (schema.anyOf) {
    return named(
      (schema.anyOf as JsonSchema[])
        .map((branch) => jsonTypeText(schemas, follow(schemas, branch, file), inner))
        .join(' or '),
    );
  }
  if (schema.const !== undefined && schema.type === undefined) return JSON.stringify(schema.const);
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any']) as string[];
  const parts = types.map((type) => {
    if (type === 'array' && typeof schema.items === 'object') {
      const item = jsonTypeText(schemas, follow(schemas, schema.items as JsonSchema, file), true);
      return `array of ${item.includes(' or ') ? `(${item})` : item}`;
    }
    if (type === 'object' && isMap(schema)) {
      const value = jsonTypeText(schemas, follow(schemas, schema.additionalProperties as JsonSchema, file), true);
      return `map of ${value.includes(' or ') ? `(${value})` : value}`;
    }
    return type;
  });
  return named(parts.join(' or '));
}

/** Constraints a reader needs to write a valid value: allowed values, ranges, lengths, patterns. */
function allowedText(schemas: Schemas, located: Located): string {
  const { schema, file } = located;
  const parts: string[] = [];
  if (schema.const !== undefined) parts.push(`\`${formatValue(schema.const)}\``);
  if (Array.isArray(schema.enum)) parts.push(schema.enum.map((v) => `\`${formatValue(v)}\``).join(', '));
  const range = rangeText(schema.minimum, schema.maximum, '');
  if (range) parts.push(range);
  const length = rangeText(schema.minLength, schema.maxLength, ' characters');
  if (length) parts.push(length);
  if (typeof schema.pattern === 'string') parts.push(`pattern \`${schema.pattern}\``);
  if (typeof schema.format === 'string') parts.push(`format \`${schema.format}\``);
  const items = rangeText(schema.minItems, schema.maxItems, ' items');
  if (items) parts.push(items);
  if (schema.uniqueItems === true) parts.push('no duplicates');
  if (typeof schema.items === 'object' && schema.items !== null) {
    const item = follow(schemas, schema.items as JsonSchema, file);
    const itemRules = hasObjectShape(item.schema) ? '' : allowedText(schemas, item);
    if (itemRules) parts.push(`each: ${itemRules}`);
  }
  const entries = rangeText(schema.minProperties, schema.maxProperties, ' entries');
  if (entries && isMap(schema)) parts.push(entries);
  if (isMap(schema) && typeof schema.propertyNames === 'object') {
    const names = follow(schemas, schema.propertyNames as JsonSchema, file);
    const keyRules = allowedText(schemas, names);
    if (keyRules) parts.push(`keys: ${keyRules}`);
  }
  if (schema.anyOf) {
    const alternatives = (schema.anyOf as JsonSchema[])
      .map((branch) => allowedText(schemas, follow(schemas, branch, file)))
      .filter((text) => text !== '');
    if (alternatives.length > 0) parts.push(alternatives.join(' or '));
  }
  if (schema.dependentRequired) {
    for (const [field, needs] of Object.entries(schema.dependentRequired as Record<string, string[]>)) {
      parts.push(`\`${field}\` requires ${needs.map((n) => `\`${n}\``).join(', ')}`);
    }
  }
  if (isDiscriminated(schema)) {
    const tag = (schema.discriminator as { propertyName: string }).propertyName;
    const values = (schema.oneOf as JsonSchema[]).map((branch) => {
      const resolved = follow(schemas, branch, file);
      const properties = (resolved.schema.properties ?? {}) as Record<string, JsonSchema>;
      return `\`${formatValue(properties[tag]?.const)}\``;
    });
    parts.push(`\`${tag}\`: ${values.join(', ')}`);
  }
  return parts.join('; ');
}

function rangeText(min: unknown, max: unknown, unit: string): string {
  const low = typeof min === 'number' ? min : undefined;
  const high = typeof max === 'number' ? max : undefined;
  if (low !== undefined && high !== undefined) {
    if (low === high) return `exactly ${low}${unit}`;
    return low < 0 ? `${low} to ${high}${unit}` : `${low}–${high}${unit}`;
  }
  if (high !== undefined) return `≤ ${high}${unit}`;
  if (low === undefined || (low === 0 && unit === '')) return '';
  if (low === 1 && unit !== '') return `at least 1${unit.replace(/s$/, '')}`;
  return `≥ ${low}${unit}`;
}

/**
 * Resolves a subschema that is (or starts with) a `$ref`: the referenced schema with the
 * referencing schema's own keywords (its description, default) laid over it.
 */
function follow(schemas: Schemas, schema: JsonSchema, file: string): Located {
  if (typeof schema.$ref !== 'string') return { schema, file, isDocument: false };
  const target = resolveRef(schemas, schema.$ref, file);
  const { $ref: _ref, ...overrides } = schema;
  const merged = { ...target.schema, ...overrides };
  const located: Located = { schema: merged, file: target.file, isDocument: target.isDocument };
  const title = target.schema.title;
  if (typeof title === 'string') located.title = title;
  return located;
}

function resolveRef(schemas: Schemas, ref: string, file: string): Located {
  const [target = '', fragment = ''] = ref.split('#');
  const targetFile = target === '' ? file : target;
  let node: unknown = requireFile(schemas, targetFile);
  for (const segment of fragment.split('/').filter((s) => s !== '')) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node !== 'object' || node === null) throw new Error(`$ref ${ref} in schemas/${file} does not resolve`);
  return { schema: node as JsonSchema, file: targetFile, isDocument: fragment === '' };
}

function requireFile(schemas: Schemas, file: string): JsonSchema {
  const schema = schemas[file];
  if (!schema) throw new Error(`schemas/${file} is not among the schemas`);
  return schema;
}

/**
 * A value written either as a literal string or as `{secretRef: ...}` (SecretValue,
 * PlainOrSecretValue, …): the reference form is explained once under "Shared value formats" and in
 * the value's description, not repeated under every field that uses it.
 */
function isSharedAlternative(located: Located): boolean {
  const properties = Object.keys(located.schema.properties ?? {});
  return Array.isArray(located.schema.type) && properties.length === 1 && properties[0] === 'secretRef';
}

function isDiscriminated(schema: JsonSchema): boolean {
  return typeof schema.discriminator === 'object' && Array.isArray(schema.oneOf);
}

function isMap(schema: JsonSchema): boolean {
  return typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null;
}

function hasObjectShape(schema: JsonSchema): boolean {
  return schema.type === 'object' || typeof schema.properties === 'object';
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The `description` keyword of a schema, or "" when it has none. */
function describe(schema: JsonSchema): string {
  return typeof schema.description === 'string' ? schema.description : '';
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}
