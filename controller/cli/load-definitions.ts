/**
 * Loading a definitions directory for CLI commands that act on valid definitions (`start`,
 * `days`, `next`, `apply`): the same validation as `jobnet validate`, its diagnostics printed to
 * stderr (so a command's stdout stays machine-readable), and a refusal when there are errors.
 *
 * The parsers, the schema validator and the renderer are loaded only once a command validates,
 * so that commands which do not (and `--help`) start quickly.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Result } from '../definitions/diagnostics.js';
import type { ValidatedRepository } from '../definitions/validate-repository.js';
import { CommandFailure, UsageError } from './cli-errors.js';

/**
 * Validates `dir` and returns the repository when it has no errors; warnings are printed too.
 * @throws UsageError when `dir` is not a directory; CommandFailure (`refusal`) after printing
 *   the diagnostics when the definitions have errors.
 */
export async function loadValidDefinitions(dir: string, refusal: string): Promise<ValidatedRepository> {
  await requireDirectory(dir);
  const { validateRepository } = await import('../definitions/validate-repository.js');
  return await validOrRefused(dir, await validateRepository(dir), refusal);
}

/**
 * Refuses a `dir` that is not a directory.
 * @throws UsageError naming it.
 */
export async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory`);
}

/**
 * The repository of `validated` (read from `dir`) when it has no errors; its diagnostics, warnings
 * too, are printed to stderr first.
 * @throws CommandFailure (`refusal`) after printing the diagnostics when the definitions have errors.
 */
export async function validOrRefused(
  dir: string,
  validated: Result<ValidatedRepository>,
  refusal: string,
): Promise<ValidatedRepository> {
  if (validated.diagnostics.length > 0) {
    const { renderDiagnostics } = await import('../definitions/render-diagnostics.js');
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
