/**
 * Loading a definitions directory for CLI commands that act on valid definitions (`start`,
 * `days`, `next`): the same validation as `jobnet validate`, its diagnostics printed to stderr
 * (so a command's stdout stays machine-readable), and a refusal when there are errors.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ValidatedRepository } from '../definitions/validate-repository.js';
import { CommandFailure, UsageError } from './cli-errors.js';

/**
 * Validates `dir` and returns the repository when it has no errors; warnings are printed too.
 * @throws UsageError when `dir` is not a directory; CommandFailure (`refusal`) after printing
 *   the diagnostics when the definitions have errors.
 */
export async function loadValidDefinitions(dir: string, refusal: string): Promise<ValidatedRepository> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  // Loaded here: the parsers and the schema validator are only needed once a command validates.
  const { renderDiagnostics } = await import('../definitions/render-diagnostics.js');
  const { validateRepository } = await import('../definitions/validate-repository.js');
  const validated = await validateRepository(dir);
  if (validated.diagnostics.length > 0) {
    const displayPath = (file: string) => path.relative(process.cwd(), path.join(dir, file)) || file;
    process.stderr.write(
      renderDiagnostics(
        validated.diagnostics,
        'text',
        { files: validated.value.fileCount, documents: validated.value.documents.length },
        { displayPath, texts: validated.value.texts, color: process.stderr.isTTY && !process.env.NO_COLOR },
      ),
    );
  }
  if (!validated.ok) throw new CommandFailure(refusal);
  return validated.value;
}
