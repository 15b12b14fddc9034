/**
 * The workflow modules a worker thread loads once and shares between all its workflows
 * (controller/worker/start-worker.ts `sharedWorkflowModules`, the SDK's `preloadModules`) must hold
 * no state of a workflow: a value one workflow left in a shared module would be seen by the next,
 * which is non-determinism. So each shared module, and everything it imports, stays inside
 * `workflows/lib/` (no module that is not shared, none that reaches the workflow API) or in the
 * few pure packages listed here, and declares no module-level variable (`let`, `var`) and no
 * module-level `Map` or `Set` unless it is typed `ReadonlyMap`/`ReadonlySet` (a lookup table); a
 * `WeakMap` keyed by a workflow's own objects is allowed: its entries go with them. What the
 * modules export is deep-frozen by the SDK.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { notShared, sharedWorkflowModules } from '../../controller/worker/start-worker.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const lib = path.join(root, 'workflows', 'lib');
/** Packages a shared module may import: pure, and loaded by the SDK's own shared modules or stateless. */
const allowedPackages = ['luxon', '@temporalio/common'];

/** Value imports of a module (type-only imports and re-exports of types load nothing). */
function valueImports(source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (!onlyTypes) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** Module-level state a module declares, described. */
function moduleState(source: ts.SourceFile): string[] {
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const declaration of list.declarations) {
      const name = declaration.name.getText(source);
      if (!isConst) found.push(`${name} (a module-level variable)`);
      const init = declaration.initializer;
      const readonly = declaration.type !== undefined && /^Readonly(Map|Set)</.test(declaration.type.getText(source));
      if (init && ts.isNewExpression(init) && ['Map', 'Set'].includes(init.expression.getText(source)) && !readonly)
        found.push(`${name} (a module-level ${init.expression.getText(source)})`);
    }
  }
  return found;
}

function problemsOf(modules: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [...modules];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const relative = path.relative(root, file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const state of moduleState(source)) problems.push(`${relative}: ${state}`);
    for (const specifier of valueImports(source)) {
      if (!specifier.startsWith('.')) {
        if (!allowedPackages.includes(specifier)) problems.push(`${relative} imports ${specifier}`);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (path.dirname(target) !== lib || notShared.includes(path.basename(target, '.ts')))
        problems.push(`${relative} imports ${path.relative(root, target)}, which is not shared`);
      else queue.push(target);
    }
  }
  return problems;
}

describe('shared workflow modules', () => {
  it('are the pure modules of workflows/lib, without the actor machine', () => {
    const names = sharedWorkflowModules().map((file) => path.relative(root, file));
    expect(names.length).toBeGreaterThan(20);
    expect(names).toContain('workflows/lib/run-state.ts');
    expect(names).toContain('workflows/lib/business-calendar.ts');
    expect(names).not.toContain('workflows/lib/jobnet-machine.ts');
    expect(names.every((name) => name.startsWith('workflows/lib/'))).toBe(true);
  });

  it('hold no state of a workflow and reach nothing that is not shared', () => {
    expect(problemsOf(sharedWorkflowModules())).toEqual([]);
  });

  it('would be refused if they reached the workflow API or kept a module-level variable', () => {
    expect(problemsOf([path.join(lib, 'jobnet-machine.ts')])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^workflows\/lib\/jobnet-machine\.ts imports workflows\/run-contract\.ts/),
      ]),
    );
    expect(
      moduleState(
        ts.createSourceFile(
          'x.ts',
          'let count = 0;\nconst seen = new Map();\nconst ok = new WeakMap();\nconst table: ReadonlySet<string> = new Set();',
          ts.ScriptTarget.Latest,
          true,
        ),
      ),
    ).toEqual(['count (a module-level variable)', 'seen (a module-level Map)']);
  });
});
