/**
 * The package's root directory — where `package.json`, `examples/`, `schemas/` and `scripts/`
 * are — whether this code runs from its TypeScript sources (`controller/…`) or from the compiled
 * JavaScript in `dist/controller/…`. Files that ship next to the code are found from here, never
 * by counting `..` from a module's own directory (which differs between the two).
 *
 * File-system reads at load only.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The nearest directory at or above `start` that holds a `package.json`. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json at or above ${start}`);
  }
}

/** The root of the jobnet-gitops package this module belongs to. */
export const packageRoot: string = findPackageRoot(import.meta.dirname);
