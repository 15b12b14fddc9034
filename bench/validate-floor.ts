/**
 * The floor of `jobnet validate` (docs/performance.md, "jobnet validate"): the least any
 * validator of this format must do, written as a bare script with no code of the product. It
 * reads every `*.yaml`/`*.yml` file below a directory (dot-directories skipped), parses each
 * with js-yaml (core schema, as the product) and checks each document against the published
 * JSON Schema of its `kind` (`schemas/`) with Ajv (the same options as the product, schemas
 * compiled inside the timed region as the product does). No positions, no semantic rules, no
 * messages beyond a count of invalid documents.
 *
 * bench/validate-repo.bench.ts runs it in a child process beside the product's validation and
 * reports the ratio. Run alone: npx tsx bench/validate-floor.ts DIR (prints one JSON line).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as jsYaml from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv2020) => Ajv2020;
const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

export interface FloorReport {
  seconds: number;
  /** CPU time (user + system) of the timed region: less sensitive than `seconds` to other load on the core. */
  cpuSeconds: number;
  files: number;
  documents: number;
  invalidDocuments: number;
}

async function definitionFiles(dir: string, out: string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await definitionFiles(full, out);
    else if (entry.isFile() && (entry.name.endsWith('.yaml') || entry.name.endsWith('.yml'))) out.push(full);
  }
  return out;
}

/** Reads, parses and schema-checks the tree below `dir`; times all of it. */
export async function validateFloor(dir: string): Promise<FloorReport> {
  const schemaTexts = readdirSync(schemasDir)
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => readFileSync(join(schemasDir, name), 'utf8'));
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  const schemas = schemaTexts.map(
    (text) => JSON.parse(text) as { $id: string; properties?: { kind?: { const?: unknown } } },
  );
  for (const schema of schemas) ajv.addSchema(schema);
  const byKind = new Map<unknown, ValidateFunction>();
  for (const schema of schemas) {
    const kind = schema.properties?.kind?.const;
    if (typeof kind === 'string') byKind.set(kind, ajv.getSchema(schema.$id) as ValidateFunction);
  }
  const files = await definitionFiles(dir, []);
  let documents = 0;
  let invalidDocuments = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const value of jsYaml.loadAll(text, null, { schema: jsYaml.CORE_SCHEMA })) {
      if (value === null || value === undefined) continue;
      documents++;
      const validate = byKind.get((value as { kind?: unknown }).kind);
      if (!validate || !validate(value)) invalidDocuments++;
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    files: files.length,
    documents,
    invalidDocuments,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: validate-floor.ts DIR\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${JSON.stringify(await validateFloor(dir))}\n`);
  }
}
