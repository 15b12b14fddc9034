/**
 * R-REPO-3: identity comes from metadata; two documents with the same identity are an error
 * naming both places. R-REPO-2: at most one Settings document. The index itself is built by
 * the repository validator; this rule reports what it found while building.
 */
import type { Located } from '../definition-index.js';
import type { RuleContext } from './rule-context.js';

export interface IdentityClash {
  kind: string;
  key: string;
  first: Located<unknown>;
  second: Located<unknown>;
}

export function reportIdentityClashes(context: RuleContext, clashes: readonly IdentityClash[]): void {
  for (const { kind, key, first, second } of clashes) {
    const place = `${first.doc.file}${first.doc.index > 0 ? ` (document ${first.doc.index + 1})` : ''}`;
    if (kind === 'Settings') {
      context.report('SETTINGS-MULTIPLE', `a second Settings document; the first is in ${place}`, second, '/kind', {
        related: [{ at: first, pointer: '/kind', message: 'first Settings document' }],
      });
    } else {
      context.report(
        'DUPLICATE-IDENTITY',
        `${kind} "${key}" is defined twice; the other definition is in ${place}`,
        second,
        '/metadata/name',
        { related: [{ at: first, pointer: '/metadata/name', message: `first definition of ${kind} "${key}"` }] },
      );
    }
  }
}
