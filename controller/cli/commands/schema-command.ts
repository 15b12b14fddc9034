/**
 * `jobnet schema [--out DIR]` (R-REPO-5): publishes the JSON Schemas for editors. Each kind is
 * written self-contained, plus `definitions.schema.json` accepting any definition document — the
 * file to map to `**\/*.yaml` in yaml-language-server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { bundleSchema, combinedSchema, combinedSchemaFile, definitionKinds } from '../../definitions/schema-files.js';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of definition documents, or write one file per kind with --out')
    .option('--out <dir>', 'directory to write <kind>.schema.json files and definitions.schema.json into')
    .action(async (opts: { out?: string }) => {
      if (!opts.out) {
        process.stdout.write(JSON.stringify(combinedSchema(), null, 2) + '\n');
        return;
      }
      await mkdir(opts.out, { recursive: true });
      const written: string[] = [];
      for (const { kind, file } of definitionKinds) {
        const target = path.join(opts.out, file);
        await writeFile(target, JSON.stringify(bundleSchema(kind), null, 2) + '\n');
        written.push(target);
      }
      const combined = path.join(opts.out, combinedSchemaFile);
      await writeFile(combined, JSON.stringify(combinedSchema(), null, 2) + '\n');
      written.push(combined);
      process.stdout.write(written.map((f) => `wrote ${f}\n`).join(''));
    });
}
