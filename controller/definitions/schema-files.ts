/**
 * The JSON Schemas of the definition format (CONTRIBUTING.md#2-the-schema-is-the-format, R-REPO-5): which schema file
 * describes which document kind, loading the files of `schemas/` once, and turning them into
 * self-contained schemas for publication (`jobnet schema --out DIR`) and for editors
 * (yaml-language-server's `yaml.schemas` mapping).
 *
 * Reads this package's own `schemas/` directory and nothing else. It must not write files (the
 * CLI does), validate documents (validate-schema.ts does) or change the loaded schemas: they are
 * frozen, and every schema handed out by the bundling functions is a fresh copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../package-root.js';

/** A JSON Schema document or subschema, as parsed from a schema file. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** Every `kind` a document may have; `Bundle` only in export files (R-EXP-1). */
export type DocumentKind =
  | 'Settings'
  | 'Calendar'
  | 'DayPattern'
  | 'Credential'
  | 'Environment'
  | 'Project'
  | 'Jobnet'
  | 'IncidentPolicy'
  | 'Bundle';

/** A document kind, the schema file that describes it and where R-REPO-2 puts its files. */
export interface KindSchemaFile {
  kind: DocumentKind;
  /** File name inside `schemas/`. */
  file: string;
  /** Recommended location in a definitions repository (R-REPO-2), or the export file name. */
  recommendedPath: string;
}

/** The kinds a definitions repository holds (R-REPO-2), in the order the docs present them. */
export const definitionKinds: readonly KindSchemaFile[] = [
  { kind: 'Settings', file: 'settings.schema.json', recommendedPath: 'jobnet.yaml' },
  { kind: 'Calendar', file: 'calendar.schema.json', recommendedPath: 'calendars/<name>.yaml' },
  { kind: 'DayPattern', file: 'day-pattern.schema.json', recommendedPath: 'daypatterns/<name>.yaml' },
  { kind: 'Credential', file: 'credential.schema.json', recommendedPath: 'credentials/<name>.yaml' },
  { kind: 'Environment', file: 'environment.schema.json', recommendedPath: 'environments/<name>.yaml' },
  { kind: 'Project', file: 'project.schema.json', recommendedPath: 'projects/<project>/project.yaml' },
  { kind: 'Jobnet', file: 'jobnet.schema.json', recommendedPath: 'projects/<project>/jobnets/<jobnet>.yaml' },
  { kind: 'IncidentPolicy', file: 'incident-policy.schema.json', recommendedPath: 'incidents/<name>.yaml' },
];

/** The export file kind (R-EXP-1): not part of a definitions repository. */
export const bundleKind: KindSchemaFile = {
  kind: 'Bundle',
  file: 'bundle.schema.json',
  recommendedPath: '<project>_<yyyyMMddHHmmss>.yaml',
};

/** Shared `$defs` referenced by the kind schemas; not a document kind. */
export const commonSchemaFile = 'common.schema.json';

/** Base of every schema's `$id`; relative `$ref`s between the files resolve against it. */
export const schemaBaseUri = 'https://jobnet-gitops.dev/schemas/';

/** File name under which {@link combinedSchema} is published. */
export const combinedSchemaFile = 'definitions.schema.json';

const allKinds: readonly KindSchemaFile[] = [...definitionKinds, bundleKind];

/** The `schemas/` directory of this package. */
export function schemasDirectory(): URL {
  return pathToFileURL(path.join(packageRoot, 'schemas') + path.sep);
}

let loaded: Readonly<Record<string, JsonSchema>> | undefined;

/**
 * The schema files of `schemas/` (every `*.schema.json`), parsed and deep-frozen, keyed by file
 * name in sorted order. Read once per process.
 * @throws Error when a file is not valid JSON or a kind's schema file (or the shared file) is
 * missing — a broken installation, not a user mistake.
 */
export function loadSchemas(): Readonly<Record<string, JsonSchema>> {
  if (loaded) return loaded;
  const directory = schemasDirectory();
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.schema.json'))
    .sort();
  const schemas: Record<string, JsonSchema> = {};
  for (const file of files) {
    const text = readFileSync(new URL(file, directory), 'utf8');
    try {
      schemas[file] = deepFreeze(JSON.parse(text) as JsonSchema);
    } catch (error) {
      throw new Error(`schemas/${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  for (const file of [commonSchemaFile, ...allKinds.map((k) => k.file)]) {
    if (!schemas[file]) throw new Error(`schemas/${file} is missing from ${directory.pathname}`);
  }
  loaded = Object.freeze(schemas);
  return loaded;
}

/**
 * A self-contained schema for one kind: the kind's schema with every `$defs` entry of the files it
 * references copied into its own `$defs` and every `$ref` rewritten to a local `#/$defs/...`.
 * A referenced document kind (the Bundle's definitions) becomes `#/$defs/<kind>Document`.
 * @throws Error for an unknown kind, or when two schema files define the same `$defs` name (a
 * schema authoring mistake the schema-conventions test also reports).
 */
export function bundleSchema(kind: DocumentKind): JsonSchema {
  const entry = allKinds.find((k) => k.kind === kind);
  if (!entry) throw new Error(`unknown document kind ${JSON.stringify(kind)}`);
  const schemas = loadSchemas();
  const root = requireSchema(schemas, entry.file);
  const definitions = collectDefinitions(schemas, [entry.file], entry.file);
  const { $defs: _ownDefinitions, ...rest } = root;
  return { ...(rewriteRefs(rest) as JsonSchema), $defs: definitions };
}

/**
 * One self-contained schema accepting a document of any kind, dispatching on `kind` with
 * `if`/`then` (which editors such as yaml-language-server understand, unlike Ajv's
 * `discriminator`), for mapping `**\/*.yaml` of a definitions repository in an editor.
 * @throws Error under the same conditions as {@link bundleSchema}.
 */
export function combinedSchema(): JsonSchema {
  const schemas = loadSchemas();
  const definitions = collectDefinitions(
    schemas,
    allKinds.map((k) => k.file),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${schemaBaseUri}${combinedSchemaFile}`,
    title: 'Definition file',
    description:
      'Any document of a jobnet-gitops definitions repository (or an export bundle), checked against the schema of its `kind` (R-REPO-1, R-REPO-5).',
    type: 'object',
    properties: {
      apiVersion: {
        $ref: '#/$defs/apiVersion',
        description: 'Version of the definition format: `jobnet/v1` (R-REPO-1).',
      },
      kind: {
        description: 'Document kind; selects the schema the rest of the document is checked against.',
        type: 'string',
        enum: allKinds.map((k) => k.kind),
      },
    },
    required: ['apiVersion', 'kind'],
    allOf: allKinds.map((entry) => ({
      if: { properties: { kind: { const: entry.kind } }, required: ['kind'] },
      then: { $ref: `#/$defs/${documentDefinitionName(entry.kind)}` },
    })),
    $defs: definitions,
  };
}

/** Key under which a kind's document schema sits in a bundled schema's `$defs`. */
export function documentDefinitionName(kind: DocumentKind): string {
  return `${kind.charAt(0).toLowerCase()}${kind.slice(1)}Document`;
}

function requireSchema(schemas: Readonly<Record<string, JsonSchema>>, file: string): JsonSchema {
  const schema = schemas[file];
  if (!schema) throw new Error(`schemas/${file} is not loaded`);
  return schema;
}

/**
 * The `$defs` a self-contained schema built from `rootFiles` needs: the `$defs` of every file they
 * reference (transitively) and every referenced document kind other than `ownFile` as
 * `<kind>Document`, all with local refs.
 */
function collectDefinitions(
  schemas: Readonly<Record<string, JsonSchema>>,
  rootFiles: readonly string[],
  ownFile?: string,
): Record<string, JsonSchema> {
  const definitions: Record<string, JsonSchema> = {};
  const origin = new Map<string, string>();
  const add = (name: string, schema: JsonSchema, file: string) => {
    const known = origin.get(name);
    if (known !== undefined) {
      throw new Error(`$defs name ${JSON.stringify(name)} is defined in both schemas/${known} and schemas/${file}`);
    }
    origin.set(name, file);
    definitions[name] = rewriteRefs(schema) as JsonSchema;
  };
  for (const file of referencedFiles(schemas, rootFiles)) {
    const schema = requireSchema(schemas, file);
    const entry = allKinds.find((k) => k.file === file);
    if (entry && file !== ownFile) {
      const { $defs: _definitions, $id: _id, $schema: _dialect, ...document } = schema;
      add(documentDefinitionName(entry.kind), document, file);
    }
    const own = (schema.$defs ?? {}) as Record<string, JsonSchema>;
    for (const [name, definition] of Object.entries(own)) add(name, definition, file);
  }
  return definitions;
}

/** `files` and the files they reference, transitively, in order of first reference. */
function referencedFiles(schemas: Readonly<Record<string, JsonSchema>>, files: readonly string[]): string[] {
  const seen: string[] = [...files];
  for (let i = 0; i < seen.length; i++) {
    const current = seen[i] as string;
    for (const ref of refsIn(requireSchema(schemas, current))) {
      const target = ref.split('#')[0] ?? '';
      if (target !== '' && !seen.includes(target)) seen.push(target);
    }
  }
  return seen;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

/** A copy of `value` whose `$ref`s point into the bundled `$defs` (see {@link bundleSchema}). */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    copy[key] = key === '$ref' && typeof child === 'string' ? localRef(child) : rewriteRefs(child);
  }
  return copy;
}

function localRef(ref: string): string {
  const [target = '', fragment = ''] = ref.split('#');
  if (target === '' || fragment.startsWith('/$defs/')) return `#${fragment}`;
  const entry = allKinds.find((k) => k.file === target);
  if (!entry || (fragment !== '' && fragment !== '/')) {
    throw new Error(
      `cannot bundle $ref ${JSON.stringify(ref)}: only $defs entries and whole kind schemas can be referenced`,
    );
  }
  return `#/$defs/${documentDefinitionName(entry.kind)}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
