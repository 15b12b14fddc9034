/**
 * The custom search attributes run history and the controller query by (docs/architecture.md#the-temporal-mapping, R-OPS-5,
 * R-GIT-3), as the namespace registers them. On a run `JobnetRunStatus` is the run's status; on a
 * jobnet actor it is the jobnet's status (docs/specification.md §4.1), `JobnetRevision` the revision it holds and
 * `JobnetDigest` the content digest of its definition (or `retired`). The names come from the wire
 * contract (workflows/lib/wire-contract.ts); they are registered when a dev server starts and must
 * exist on any cluster the product points at.
 *
 * Pure: data only.
 */
import { searchAttributeNames, type SearchAttributeName } from '../../workflows/lib/wire-contract.js';

/** Every product search attribute with its type as the Temporal CLI names it. */
export const searchAttributes: Record<SearchAttributeName, 'Keyword'> = Object.fromEntries(
  Object.values(searchAttributeNames).map((name) => [name, 'Keyword']),
) as Record<SearchAttributeName, 'Keyword'>;

export type { SearchAttributeName };
