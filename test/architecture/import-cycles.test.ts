/**
 * No module of the controller or the workflows imports itself through other modules: an import
 * cycle ties modules together so that none of them can be read, tested or changed alone, and in
 * the workflow bundle it decides module order by accident. Every import counts, `import type` and
 * `export … from` included: a cycle of types is the same knot.
 *
 * The graph is read with TypeScript's own pre-processor (the specifiers of every import, export
 * and `import()`), relative specifiers resolved to the `.ts` file; packages are not followed.
 * Cycles are found with the validator's iterative graph walks (directed-graph.ts), one shortest
 * cycle per strongly connected component.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isCyclic, shortestCycle, stronglyConnectedComponents } from '../../controller/definitions/directed-graph.js';

const root = path.resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const relative = path.posix.join(dir, name);
    if (statSync(path.join(root, relative)).isDirectory()) return sourceFiles(relative);
    return relative.endsWith('.ts') ? [relative] : [];
  });
}

/** Module specifiers of a module's imports, exports and dynamic imports, in source order. */
function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/**
 * The import graph of `modules` (path → source text, paths relative to the repository root with
 * `/`): each module with the modules of the set it imports through relative specifiers. A `.js`
 * specifier names the `.ts` module it is compiled from.
 */
function importGraph(modules: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of modules) {
    const targets: string[] = [];
    for (const specifier of specifiersOf(text)) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
      const joined = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const target = [joined.replace(/\.js$/, '.ts'), joined, `${joined}.ts`, `${joined}/index.ts`].find((candidate) =>
        modules.has(candidate),
      );
      if (target !== undefined && !targets.includes(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** One shortest cycle per knot of modules that import each other, as `a → b → … → a`, sorted. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const successors = (file: string) => graph.get(file) ?? [];
  return stronglyConnectedComponents([...graph.keys()].sort(), successors)
    .filter((component) => isCyclic(component, successors))
    .map((component) => {
      const start = [...component].sort()[0]!;
      const cycle = shortestCycle(start, new Set(component), successors)!;
      return [...cycle, start].join(' → ');
    })
    .sort();
}

describe('import cycles', () => {
  it('there are none in controller/ and workflows/', () => {
    const files = [...sourceFiles('controller'), ...sourceFiles('workflows')];
    const modules = new Map(files.map((file) => [file, readFileSync(path.join(root, file), 'utf8')]));
    const graph = importGraph(modules);
    // The walk sees the real graph: every module, and the run workflow importing its contract.
    expect(graph.size).toBe(files.length);
    expect(graph.get('workflows/run-workflow.ts')).toContain('workflows/run-contract.ts');
    expect(importCycles(graph)).toEqual([]);
  });

  it('finds a cycle through type-only imports and re-exports, and names each knot once', () => {
    const modules = new Map([
      ['w/run.ts', "import { execute } from './jobs/execute.js';\nexport const run = execute;"],
      ['w/jobs/execute.ts', "import type { Context } from './context.js';\nexport const execute = (c: Context) => c;"],
      ['w/jobs/context.ts', "import type { run } from '../run.js';\nexport type Context = typeof run;"],
      ['w/a.ts', "export { b } from './b.js';\nexport const a = 1;"],
      ['w/b.ts', "import { a } from './a';\nexport const b = a;"],
      ['w/self.ts', "export const later = () => import('./self.js');"],
      [
        'w/leaf.ts',
        "import { readFileSync } from 'node:fs';\nimport { run } from './run.js';\nexport const leaf = [readFileSync, run];",
      ],
    ]);
    expect(importCycles(importGraph(modules))).toEqual([
      'w/a.ts → w/b.ts → w/a.ts',
      'w/jobs/context.ts → w/run.ts → w/jobs/execute.ts → w/jobs/context.ts',
      'w/self.ts → w/self.ts',
    ]);
  });

  it('ignores specifiers in comments and strings that are not imports', () => {
    const modules = new Map([
      [
        'w/a.ts',
        "// import { b } from './b.js';\nconst text = \"import { b } from './b.js'\";\nexport const a = text;",
      ],
      ['w/b.ts', "import { a } from './a.js';\nexport const b = a;"],
    ]);
    expect(importCycles(importGraph(modules))).toEqual([]);
  });
});
