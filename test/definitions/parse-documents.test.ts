/**
 * The loader parses values with a fast parser and builds the positioned YAML AST only on
 * demand. These tests pin that both paths agree, and that the precise path's protections
 * (duplicate keys, alias-expansion limit) hold.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../../controller/definitions/parse-documents.js';
import { readDirectorySnapshot } from '../../controller/definitions/repository-snapshot.js';
import { locate } from '../../controller/definitions/source-positions.js';

const root = path.join(import.meta.dirname, '..', '..');
const encode = (text: string) => new TextEncoder().encode(text);

describe('parseDocuments', () => {
  it('gives the same values as the positioned YAML AST for every document of examples/', async () => {
    const snapshot = await readDirectorySnapshot(path.join(root, 'examples'));
    const { documents, diagnostics } = parseDocuments(snapshot.files);
    expect(diagnostics).toEqual([]);
    expect(documents.length).toBeGreaterThan(20);
    for (const doc of documents) {
      expect(doc.ast().yaml.toJS(), `${doc.file} document ${doc.index}`).toEqual(doc.value);
    }
  });

  it('keeps dates and times as strings (YAML 1.2 core schema)', () => {
    const { documents } = parseDocuments([
      { path: 'a.yaml', bytes: encode('d: 2027-01-01\nt: 22:00\nn: 010\nb: yes\n') },
    ]);
    expect(documents[0]!.value).toEqual({ d: '2027-01-01', t: '22:00', n: 10, b: 'yes' });
  });

  it('locates nodes in the second of several documents, skipping empty ones', () => {
    const text = '---\n---\na: 1\n---\nb:\n  c: 2\n';
    const { documents } = parseDocuments([{ path: 'multi.yaml', bytes: encode(text) }]);
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: { c: 2 } }]);
    expect(locate(documents[1]!, '/b/c')).toMatchObject({ file: 'multi.yaml', line: 6, column: 6 });
  });

  it('skips empty documents on the precise path too (files with anchors)', () => {
    const { documents, diagnostics } = parseDocuments([
      { path: 'anchors.yaml', bytes: encode('---\n---\na: &x 1\nb: *x\n') },
    ]);
    expect(diagnostics).toEqual([]);
    expect(documents.map((d) => d.value)).toEqual([{ a: 1, b: 1 }]);
    expect(locate(documents[0]!, '/b')).toMatchObject({ line: 4, column: 4 });
  });

  it('reports a duplicate key at the second occurrence', () => {
    const { documents, diagnostics } = parseDocuments([{ path: 'dup.yaml', bytes: encode('a: 1\nb: 2\na: 3\n') }]);
    expect(documents).toEqual([]);
    expect(diagnostics).toMatchObject([{ code: 'YAML-DUPLICATE-KEY', file: 'dup.yaml', line: 3, column: 1 }]);
  });

  it('refuses alias expansion bombs instead of expanding them', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const { documents, diagnostics } = parseDocuments([{ path: 'bomb.yaml', bytes: encode(bomb) }]);
    expect(documents).toEqual([]);
    expect(diagnostics).toMatchObject([{ code: 'YAML-SYNTAX', file: 'bomb.yaml' }]);
    expect(diagnostics[0]!.message).toMatch(/alias/i);
  });

  it('says a file nests too deeply instead of reporting the parser running out of stack', () => {
    const deep = `apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: p\nspec:\n  variables:\n    a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const { documents, diagnostics } = parseDocuments([{ path: 'project.yaml', bytes: encode(deep) }]);
    expect(documents).toEqual([]);
    expect(diagnostics).toMatchObject([{ code: 'YAML-SYNTAX', file: 'project.yaml', line: 7 }]);
    expect(diagnostics[0]!.message).toMatch(/nests too deeply/);
  });

  it('decodes a UTF-8 byte order mark and Japanese text', () => {
    const text = readFileSync(path.join(root, 'examples', 'calendars', 'jp-business.yaml'), 'utf8');
    const { documents } = parseDocuments([{ path: 'jp.yaml', bytes: encode('\uFEFF' + text) }]);
    expect(JSON.stringify(documents[0]!.value)).toContain('元日');
  });
});

describe('known values (files written from values the caller holds)', () => {
  it('takes the given values instead of parsing the file, and still locates positions from its text', () => {
    const text = 'kind: Project\nmetadata:\n  name: sales\n';
    const file = { path: 'projects/sales/project.yaml', bytes: new TextEncoder().encode(text) };
    const given = { kind: 'Project', metadata: { name: 'sales' }, marker: 'given' };
    const parsed = parseDocuments([file], new Set(), undefined, new Map([[file.path, [given]]]));
    expect(parsed.documents.map((doc) => doc.value)).toEqual([given]);
    expect(parsed.documents[0]!.ast().yaml.toJS()).toEqual({ kind: 'Project', metadata: { name: 'sales' } });
    const unknown = parseDocuments([file]);
    expect(unknown.documents.map((doc) => doc.value)).toEqual([{ kind: 'Project', metadata: { name: 'sales' } }]);
  });
});
