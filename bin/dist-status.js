// Whether dist/ holds a build of the sources as they are now: `scripts/build-dist.js` records,
// in dist/build-info.json, the modification time and size of every file the build compiled (and
// of the tsconfig files); the build is fresh when every one of them is unchanged. Plain
// JavaScript, so that `bin/jobnet.js` can ask before any TypeScript is loaded.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The package root (this file is in bin/). */
export const packageRoot = path.resolve(import.meta.dirname, '..');
/** What the build writes next to the JavaScript it compiled. */
export const buildInfoFile = path.join(packageRoot, 'dist', 'build-info.json');
/** The entry point of the compiled CLI. */
export const compiledMain = path.join(packageRoot, 'dist', 'controller', 'cli', 'main.js');
/** The format of build-info.json this file reads. */
export const buildInfoFormat = 1;

/** `[path relative to the package root, mtimeMs, size]` of a source file now. */
export function sourceStamp(file) {
  const info = statSync(path.join(packageRoot, file));
  return [file, info.mtimeMs, info.size];
}

/** Why dist/ cannot be run as the sources are now, or undefined when it can. */
export function distStaleness() {
  let info;
  try {
    info = JSON.parse(readFileSync(buildInfoFile, 'utf8'));
  } catch {
    return 'dist/ has not been built (npm run build)';
  }
  if (info?.format !== buildInfoFormat || !Array.isArray(info.sources))
    return 'dist/build-info.json is of another version';
  try {
    statSync(compiledMain);
  } catch {
    return `${path.relative(packageRoot, compiledMain)} is missing`;
  }
  for (const [file, mtimeMs, size] of info.sources) {
    let now;
    try {
      now = sourceStamp(file);
    } catch {
      return `${file} was removed since the build`;
    }
    if (now[1] !== mtimeMs || now[2] !== size) return `${file} changed since the build`;
  }
  return undefined;
}
