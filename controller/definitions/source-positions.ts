/**
 * Maps a JSON pointer in a parsed document back to the YAML source range (CONTRIBUTING.md#4-every-diagnostic-points-at-its-source):
 * the one helper every diagnostic uses to say file:line:column.
 *
 * Pure: no I/O.
 */
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { ParsedDocument } from './parse-documents.js';
import type { SourceLocation } from './diagnostics.js';

export function pointerToSegments(pointer: string): string[] {
  if (pointer === '') return [];
  const segments = pointer.slice(1).split('/');
  return pointer.includes('~') ? segments.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : segments;
}

/** One JSON-pointer segment, `/`-prefixed and escaped (RFC 6901): `a/b` → `/a~1b`. */
export function pointerSegment(segment: string | number): string {
  const text = String(segment);
  if (!text.includes('~') && !text.includes('/')) return '/' + text;
  return '/' + text.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function segmentsToPointer(segments: readonly (string | number)[]): string {
  return segments.map(pointerSegment).join('');
}

/**
 * Finds the source location of `pointer`. With `key: true` and a pointer naming a mapping
 * entry, the location is the entry's key (right for "unknown field" errors). When the pointer
 * does not fully resolve (a missing field), the deepest node that exists is used.
 */
export function locate(doc: ParsedDocument, pointer: string, options: { key?: boolean } = {}): SourceLocation {
  const segments = pointerToSegments(pointer);
  const { yaml, lineCounter } = doc.ast();
  let node: Node | null | undefined = yaml.contents;
  let keyNode: Node | undefined;
  for (const segment of segments) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
      if (node === null) {
        node = keyNode; // `key:` with no value: point at the key
      }
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item || !/^\d+$/.test(segment)) break;
      node = item;
    } else {
      break;
    }
  }
  const target = options.key && keyNode ? keyNode : (node ?? keyNode);
  const range = target?.range ?? yaml.range;
  const start = lineCounter.linePos(range[0]);
  const end = lineCounter.linePos(range[1]);
  return { file: doc.file, line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}
