/**
 * The web console's static files (R-UI-1): the page shell `index.html`, the bundled script
 * `app.js` and the style sheet `app.css`, as `GET /` and `GET /console/*` of `jobnet api` answer
 * them. The console is a Preact application (`app/*.tsx`) bundled by esbuild; it holds no data of
 * its own and reads everything through the operator API with the bearer token of the browser tab.
 *
 * Where the files come from: `dist/console/` when `scripts/build-dist.js` built it from the
 * sources as they are now (every source older than the bundle); otherwise — a checkout run from
 * its sources, a test, or a source edited since the build — the bundle is built in memory by
 * esbuild on the first request and kept for the life of the process. Nothing is fetched from the
 * network: Preact and dagre are bundled in.
 *
 * I/O: reads the bundle or the sources from the package; builds with esbuild in memory.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

/** One file of the console. */
export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

/** The files by name (`index.html`, `app.js`, `app.css`). */
export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

/** Where the console's sources are. */
export const consoleSourceDir = path.join(packageRoot, 'controller', 'console', 'app');
/** Where `scripts/build-dist.js` writes the bundle. */
export const consoleDistDir = path.join(packageRoot, 'dist', 'console');

const contentTypes: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** The page shell: no data, only the script and the style sheet (everything else comes from the API). */
export const consoleShell = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jobnet console</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<div id="app"><p class="loading">Loading the jobnet console…</p></div>
<script type="module" src="/console/app.js"></script>
</body>
</html>
`;

/** esbuild's options for the bundle (shared with scripts/build-dist.js through {@link buildConsoleBundle}). */
function bundleOptions() {
  return {
    entryPoints: [path.join(consoleSourceDir, 'main.tsx')],
    bundle: true,
    format: 'esm' as const,
    target: 'es2022',
    minify: true,
    jsx: 'automatic' as const,
    jsxImportSource: 'preact',
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
    write: false,
    outdir: 'out',
    tsconfig: path.join(consoleSourceDir, 'tsconfig.json'),
  };
}

/** Builds the console in memory: app.js and app.css (the style sheet imported by main.tsx). */
export async function buildConsoleBundle(): Promise<Map<string, ConsoleAsset>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build(bundleOptions());
  const assets = new Map<string, ConsoleAsset>();
  for (const file of result.outputFiles ?? []) {
    const name = path.basename(file.path).replace(/^main\./, 'app.');
    assets.set(name, {
      contentType: contentTypes[name] ?? 'application/octet-stream',
      body: Buffer.from(file.contents),
    });
  }
  assets.set('index.html', { contentType: contentTypes['index.html'] as string, body: Buffer.from(consoleShell) });
  return assets;
}

/** The newest modification time of the console's sources (0 when they are not shipped). */
function newestSource(): number {
  try {
    return Math.max(
      ...readdirSync(consoleSourceDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => statSync(path.join(entry.parentPath, entry.name)).mtimeMs),
      statSync(path.join(packageRoot, 'controller', 'console', 'console-assets.ts')).mtimeMs,
    );
  } catch {
    return 0;
  }
}

/** The bundle of dist/console when it is there and no source is newer; undefined otherwise. */
function builtBundle(): Map<string, ConsoleAsset> | undefined {
  try {
    const assets = new Map<string, ConsoleAsset>();
    let oldest = Infinity;
    for (const name of Object.keys(contentTypes)) {
      const file = path.join(consoleDistDir, name);
      oldest = Math.min(oldest, statSync(file).mtimeMs);
      assets.set(name, { contentType: contentTypes[name] as string, body: readFileSync(file) });
    }
    return oldest >= newestSource() ? assets : undefined;
  } catch {
    return undefined;
  }
}

let loading: Promise<ConsoleAssets> | undefined;

/** The console's files: dist/console when fresh, else built once in memory (see the module header). */
export function consoleAssets(): Promise<ConsoleAssets> {
  loading ??= Promise.resolve(builtBundle() ?? buildConsoleBundle()).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
