#!/usr/bin/env node
// Builds dist/: the TypeScript of controller/ and workflows/ compiled to JavaScript by tsc
// (tsconfig.build.json: emit only — `npm run typecheck` is where types are checked), and
// the web console bundled into dist/console/ (esbuild), and
// dist/build-info.json, which lets bin/jobnet.js tell whether dist/ is the sources as they are now
// (bin/dist-status.js). dist/ is removed first, so nothing of a removed source lingers.
//
//   node scripts/build-dist.js             build
//   node scripts/build-dist.js --if-stale  build only when dist/ is missing or stale (npm's prepare)
//
// Without TypeScript installed (an install without dev dependencies) it says so and leaves
// dist/ alone: the command then runs from the sources through tsx.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { buildInfoFile, buildInfoFormat, distStaleness, packageRoot, sourceStamp } from '../bin/dist-status.js';

const ifStale = process.argv.includes('--if-stale');
if (ifStale && distStaleness() === undefined) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    'jobnet build: TypeScript is not installed, so dist/ is not built; jobnet runs from the sources (tsx)\n',
  );
  process.exit(0);
}

/** The files the build compiles (tsconfig.build.json: controller/ and workflows/ without tests) and the tsconfig files. */
function sources() {
  const files = ['tsconfig.json', 'tsconfig.build.json'];
  for (const dir of ['controller', 'workflows']) {
    for (const entry of readdirSync(path.join(packageRoot, dir), { recursive: true, withFileTypes: true })) {
      if (
        !entry.isFile() ||
        !entry.name.endsWith('.ts') ||
        entry.name.endsWith('.test.ts') ||
        entry.name.endsWith('.d.ts')
      )
        continue;
      files.push(path.relative(packageRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    }
  }
  return files.sort();
}

// Stamped before compiling: a source edited during the build leaves dist/ stale, not wrongly fresh.
const stamps = sources().map(sourceStamp);
const started = Date.now();
rmSync(path.join(packageRoot, 'dist'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(packageRoot, 'tsconfig.build.json')], {
  cwd: packageRoot,
  stdio: 'inherit',
});
if (result.status !== 0) {
  rmSync(path.join(packageRoot, 'dist'), { recursive: true, force: true });
  process.stderr.write('jobnet build: tsc failed; dist/ removed, jobnet runs from the sources (tsx)\n');
  process.exit(result.status ?? 1);
}
// The web console: bundled by esbuild (through the module just compiled) into dist/console/, which
// `jobnet api` serves as it is (controller/console/console-assets.ts).
try {
  const { buildConsoleBundle, consoleDistDir } = await import(
    pathToFileURL(path.join(packageRoot, 'dist', 'controller', 'console', 'console-assets.js')).href
  );
  mkdirSync(consoleDistDir, { recursive: true });
  for (const [name, asset] of await buildConsoleBundle()) writeFileSync(path.join(consoleDistDir, name), asset.body);
} catch (error) {
  process.stderr.write(
    `jobnet build: the web console was not bundled (${error instanceof Error ? error.message : String(error)}); jobnet api builds it at its first request\n`,
  );
}
writeFileSync(
  buildInfoFile,
  JSON.stringify({ format: buildInfoFormat, builtAt: new Date().toISOString(), sources: stamps }, null, 1) + '\n',
);
process.stderr.write(
  `jobnet build: compiled ${stamps.length - 2} files to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
