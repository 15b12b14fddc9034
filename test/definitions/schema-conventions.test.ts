/**
 * The conventions of the JSON Schemas in schemas/ (CONTRIBUTING.md#2-the-schema-is-the-format, R-REPO-5): every field and
 * shared definition is described, every object is closed against unknown fields, the files compile
 * under the strict Ajv options the validator uses, errors name the right field of the right job
 * type, and the self-contained schemas published by `jobnet schema` accept and reject exactly
 * what the source schemas do.
 *
 * Sample documents are files under schema-samples/: valid/*.yaml must pass, and each
 * invalid/<case>.yaml must produce exactly the Ajv errors listed in invalid/<case>.expected.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  bundleKind,
  bundleSchema,
  combinedSchema,
  commonSchemaFile,
  definitionKinds,
  loadSchemas,
  schemaBaseUri,
  type DocumentKind,
  type JsonSchema,
} from '../../controller/definitions/schema-files.js';

const allKinds = [...definitionKinds, bundleKind];

/** The Ajv options every consumer of the schemas uses. */
function createStrictAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true });
  ajvFormats.default(ajv);
  return ajv;
}

/** Validators of the source schemas, by kind. */
function sourceValidators(): Map<DocumentKind, ValidateFunction> {
  const ajv = createStrictAjv();
  for (const schema of Object.values(loadSchemas())) ajv.addSchema(schema);
  return new Map(
    allKinds.map((entry) => [entry.kind, ajv.getSchema(`${schemaBaseUri}${entry.file}`) as ValidateFunction]),
  );
}

interface Sample {
  name: string;
  document: Record<string, unknown>;
}

const samplesDirectory = new URL('./schema-samples/', import.meta.url);

function readSamples(folder: 'valid' | 'invalid'): (Sample & { file: string })[] {
  const directory = new URL(`${folder}/`, samplesDirectory);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(new URL(file, directory), 'utf8')).map((doc, index) => ({
        file,
        name: `${folder}/${file}#${index}`,
        document: doc.toJS() as Record<string, unknown>,
      })),
    );
}

/** The example repository: more valid documents, read only to compare source and bundled schemas. */
function readExamples(): Sample[] {
  const root = new URL('../../examples/', import.meta.url);
  let files: string[];
  try {
    files = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return files
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(new URL(file, root), 'utf8'))
        .map((doc, index) => ({ name: `examples/${file}#${index}`, document: doc.toJS() as Record<string, unknown> }))
        .filter((sample) => allKinds.some((k) => k.kind === sample.document?.kind)),
    );
}

function kindOf(sample: Sample): DocumentKind {
  const kind = allKinds.find((k) => k.kind === sample.document.kind)?.kind;
  if (!kind) throw new Error(`${sample.name} has no known kind`);
  return kind;
}

/** Errors without schema paths, which differ between the source and the bundled schemas. */
function essentials(errors: readonly ErrorObject[] | null | undefined) {
  return (errors ?? [])
    .map(({ instancePath, keyword, params }) => ({ instancePath, keyword, params }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

// --- Walking the schemas ----------------------------------------------------------------

interface Visit {
  schema: JsonSchema;
  /** `file#/json/pointer` of the subschema, for messages. */
  where: string;
  /** The subschema is an entry of a `properties` map. */
  isProperty: boolean;
  /** The subschema is an entry of `$defs`. */
  isDefinition: boolean;
}

const subschemaArrays = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const subschemaValues = [
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'contains',
];
const subschemaMaps = ['properties', '$defs', 'patternProperties', 'dependentSchemas'];

/** Every subschema of every schema file. */
function walkSchemas(): Visit[] {
  const visits: Visit[] = [];
  const visit = (schema: JsonSchema, where: string, isProperty: boolean, isDefinition: boolean) => {
    visits.push({ schema, where, isProperty, isDefinition });
    for (const key of subschemaArrays) {
      const list = schema[key];
      if (Array.isArray(list)) list.forEach((sub, i) => visit(sub as JsonSchema, `${where}/${key}/${i}`, false, false));
    }
    for (const key of subschemaValues) {
      const sub = schema[key];
      if (typeof sub === 'object' && sub !== null) visit(sub as JsonSchema, `${where}/${key}`, false, false);
    }
    for (const key of subschemaMaps) {
      const map = schema[key];
      if (typeof map !== 'object' || map === null) continue;
      for (const [name, sub] of Object.entries(map)) {
        visit(sub as JsonSchema, `${where}/${key}/${name}`, key === 'properties', key === '$defs');
      }
    }
  };
  for (const [file, schema] of Object.entries(loadSchemas())) visit(schema, `${file}#`, false, false);
  return visits;
}

/** `$defs` used as `allOf` bases by schemas that close themselves with `unevaluatedProperties`. */
function baseDefinitions(visits: readonly Visit[]): Set<string> {
  const bases = new Set<string>();
  for (const { schema, where } of visits) {
    if (schema.unevaluatedProperties !== false || !Array.isArray(schema.allOf)) continue;
    const file = where.split('#')[0] as string;
    for (const base of schema.allOf as JsonSchema[]) {
      const ref = String(base.$ref);
      bases.add(ref.startsWith('#') ? `${file}${ref}` : ref);
    }
  }
  return bases;
}

/**
 * Whether an object schema admits only the fields it declares: closed by `additionalProperties` or
 * `unevaluatedProperties` false, a map whose keys are constrained by `propertyNames`, a dispatcher
 * to closed alternatives (`discriminator` + `oneOf`), or an `allOf` base of a closed schema.
 * A union such as `HttpBody` (any JSON value) declares no properties and is free-form on purpose.
 */
function isClosed(visit: Visit, bases: ReadonlySet<string>): boolean {
  const { schema, where } = visit;
  if (schema.additionalProperties === false || schema.unevaluatedProperties === false) return true;
  const isMap = typeof schema.additionalProperties === 'object' && typeof schema.propertyNames === 'object';
  const isDispatcher = typeof schema.discriminator === 'object' && Array.isArray(schema.oneOf);
  return isMap || isDispatcher || bases.has(where);
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' || typeof schema.properties === 'object';
}

describe('schema conventions', () => {
  const visits = walkSchemas();

  it('every schema file is draft 2020-12 with an $id under the published base', () => {
    for (const [file, schema] of Object.entries(loadSchemas())) {
      expect(schema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id, file).toBe(`${schemaBaseUri}${file}`);
      expect(typeof schema.title, `${file} has a title`).toBe('string');
      expect(typeof schema.description, `${file} has a description`).toBe('string');
    }
  });

  it('every property and every $defs entry has a description', () => {
    const undescribed = visits
      .filter(
        (v) =>
          (v.isProperty || v.isDefinition) && (typeof v.schema.description !== 'string' || v.schema.description === ''),
      )
      .map((v) => v.where);
    expect(undescribed).toEqual([]);
  });

  it('every $defs entry has a title, unique across the files, which names its generated type', () => {
    const definitions = visits.filter((v) => v.isDefinition);
    expect(definitions.filter((v) => typeof v.schema.title !== 'string').map((v) => v.where)).toEqual([]);
    const titles = definitions.map((v) => String(v.schema.title));
    const roots = Object.values(loadSchemas()).map((s) => String(s.title));
    expect([...titles, ...roots].filter((t, i, all) => all.indexOf(t) !== i)).toEqual([]);
  });

  it('$defs names are unique across the files, so bundling never has to rename', () => {
    const names = visits.filter((v) => v.isDefinition).map((v) => v.where.split('/').pop());
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('every object schema rejects unknown fields', () => {
    const bases = baseDefinitions(visits);
    const open = visits.filter((v) => isObjectSchema(v.schema) && !isClosed(v, bases)).map((v) => v.where);
    expect(open).toEqual([]);
  });

  it('every field holding a secret says so with "Secret:" in its description', () => {
    const secretRef = `${commonSchemaFile}#/$defs/secretValue`;
    const unmarked = visits
      .filter((v) => v.isProperty)
      .filter(
        (v) =>
          v.schema.$ref === secretRef ||
          (v.where.startsWith(commonSchemaFile) && v.schema.$ref === '#/$defs/secretValue'),
      )
      .filter((v) => !String(v.schema.description).startsWith('Secret:'))
      .map((v) => v.where);
    expect(unmarked).toEqual([]);
  });

  it('every document schema requires apiVersion jobnet/v1 and its kind', () => {
    for (const entry of allKinds) {
      const schema = loadSchemas()[entry.file] as JsonSchema;
      const properties = schema.properties as Record<string, JsonSchema>;
      expect(properties.kind?.const, entry.file).toBe(entry.kind);
      expect(properties.apiVersion?.$ref, entry.file).toBe(`${commonSchemaFile}#/$defs/apiVersion`);
      expect(schema.required, entry.file).toEqual(
        expect.arrayContaining(
          entry === bundleKind ? ['apiVersion', 'kind'] : ['apiVersion', 'kind', 'metadata', 'spec'],
        ),
      );
    }
  });
});

describe('schemas under the strict Ajv options', () => {
  it('every schema file compiles', () => {
    const validators = sourceValidators();
    for (const entry of allKinds) expect(typeof validators.get(entry.kind), entry.kind).toBe('function');
  });

  it('the valid samples pass', () => {
    const validators = sourceValidators();
    for (const sample of readSamples('valid')) {
      const validate = validators.get(kindOf(sample)) as ValidateFunction;
      validate(sample.document);
      expect(essentials(validate.errors), sample.name).toEqual([]);
    }
  });

  it('each invalid sample yields exactly the errors listed next to it', () => {
    const validators = sourceValidators();
    const samples = readSamples('invalid');
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      const expectedFile = new URL(`invalid/${sample.file.replace(/\.yaml$/, '.expected.json')}`, samplesDirectory);
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as unknown[];
      const validate = validators.get(kindOf(sample)) as ValidateFunction;
      expect(validate(sample.document), sample.name).toBe(false);
      expect(essentials(validate.errors), sample.name).toEqual(essentials(expected as ErrorObject[]));
    }
  });

  it('an unknown field in a rest job request is reported at the request, naming the field', () => {
    const validate = sourceValidators().get('Jobnet') as ValidateFunction;
    const document = {
      apiVersion: 'jobnet/v1',
      kind: 'Jobnet',
      metadata: { project: 'sales', name: 'submit' },
      spec: { jobs: { submit: { type: 'rest', request: { url: 'https://x.example.com/', method: 'GET', bogus: 1 } } } },
    };
    expect(validate(document)).toBe(false);
    expect(essentials(validate.errors)).toEqual([
      {
        instancePath: '/spec/jobs/submit/request',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'bogus' },
      },
    ]);
  });

  it('a sleep of 90000 seconds yields one range error, not errors of the other job types', () => {
    const validate = sourceValidators().get('Jobnet') as ValidateFunction;
    const document = {
      apiVersion: 'jobnet/v1',
      kind: 'Jobnet',
      metadata: { project: 'sales', name: 'pause' },
      spec: { jobs: { wait: { type: 'sleep', seconds: 90000 } } },
    };
    expect(validate(document)).toBe(false);
    expect(essentials(validate.errors)).toEqual([
      { instancePath: '/spec/jobs/wait/seconds', keyword: 'maximum', params: { comparison: '<=', limit: 86400 } },
    ]);
  });
});

describe('self-contained schemas for publication', () => {
  const samples = [...readSamples('valid'), ...readSamples('invalid'), ...readExamples()];

  it.each(allKinds.map((k) => k.kind))('the %s schema refers to no other file and compiles', (kind) => {
    const schema = bundleSchema(kind);
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.filter((ref) => !ref.startsWith('"$ref":"#'))).toEqual([]);
    expect(() => createStrictAjv().compile(schema)).not.toThrow();
  });

  it.each(allKinds.map((k) => k.kind))('the %s schema accepts and rejects what the source schema does', (kind) => {
    const source = sourceValidators().get(kind) as ValidateFunction;
    const bundled = createStrictAjv().compile(bundleSchema(kind));
    const ofKind = samples.filter((s) => kindOf(s) === kind);
    expect(ofKind.length, `samples of kind ${kind}`).toBeGreaterThan(0);
    for (const sample of ofKind) {
      const expected = source(sample.document);
      expect(bundled(sample.document), sample.name).toBe(expected);
      expect(essentials(bundled.errors), sample.name).toEqual(essentials(source.errors));
    }
  });

  it('the combined schema refers to no other file, compiles, and agrees with the kind schemas', () => {
    const schema = combinedSchema();
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.filter((ref) => !ref.startsWith('"$ref":"#'))).toEqual([]);
    const combined = createStrictAjv().compile(schema);
    const validators = sourceValidators();
    for (const sample of samples) {
      const source = validators.get(kindOf(sample)) as ValidateFunction;
      expect(combined(sample.document), sample.name).toBe(source(sample.document));
    }
    expect(combined({ apiVersion: 'jobnet/v1', kind: 'Nonsense', metadata: { name: 'x' }, spec: {} })).toBe(false);
  });

  it('bundling returns fresh copies and leaves the loaded schemas untouched', () => {
    const first = bundleSchema('Jobnet');
    (first.$defs as Record<string, unknown>).job = {};
    expect((bundleSchema('Jobnet').$defs as Record<string, JsonSchema>).job).not.toEqual({});
    expect(Object.isFrozen(loadSchemas()[commonSchemaFile])).toBe(true);
  });
});
