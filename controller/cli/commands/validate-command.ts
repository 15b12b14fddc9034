/**
 * `jobnet validate [DIR]` (R-GIT-5): validates a definitions repo with the same function the
 * controller uses, prints every diagnostic, exits 1 when there are errors.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { DiagnosticFormat } from '../../definitions/render-diagnostics.js';
import { UsageError, exitCodes } from '../cli-errors.js';

const formats: DiagnosticFormat[] = ['text', 'json', 'github'];

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate a definitions repository: YAML, schemas and semantic rules (exit 1 on errors)')
    .argument('[dir]', 'definitions repository', '.')
    .option('--format <format>', `output format: ${formats.join(', ')}`, 'text')
    .action(async (dir: string, opts: { format: string }) => {
      if (!formats.includes(opts.format as DiagnosticFormat)) {
        throw new UsageError(`--format must be one of ${formats.join(', ')}, not "${opts.format}"`);
      }
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory`);

      // Loaded here: the parsers and the schema validator are only needed when validating.
      const { renderDiagnostics } = await import('../../definitions/render-diagnostics.js');
      const { validateRepository } = await import('../../definitions/validate-repository.js');
      const progress = process.stderr.isTTY && opts.format === 'text' ? terminalProgress() : undefined;
      const result = await validateRepository(dir, { onProgress: progress?.update });
      progress?.done();

      const displayPath = (file: string) => path.relative(process.cwd(), path.join(dir, file)) || file;
      const output = renderDiagnostics(
        result.diagnostics,
        opts.format as DiagnosticFormat,
        { files: result.value.fileCount, documents: result.value.documents.length },
        { displayPath, texts: result.value.texts, color: process.stdout.isTTY && !process.env.NO_COLOR },
      );
      process.stdout.write(output);
      process.exitCode = result.ok ? exitCodes.ok : exitCodes.failed;
    });
}

/** A one-line progress indicator on stderr, redrawn at most every 100 ms. */
function terminalProgress(): { update: (stage: string, done: number, total: number) => void; done: () => void } {
  let last = 0;
  let shown = false;
  return {
    update(stage, done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      process.stderr.write(`\r\u001b[2Kvalidating: ${stage} ${done}/${total}`);
    },
    done() {
      if (shown) process.stderr.write('\r\u001b[2K');
    },
  };
}
