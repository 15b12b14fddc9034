/**
 * The custom search attributes run history is queried by (DESIGN.md §3, R-OPS-5). They are
 * registered when a dev server starts and must exist on any cluster the product points at.
 *
 * Pure: data only.
 */
export const searchAttributes = {
  JobnetProject: 'Keyword',
  JobnetName: 'Keyword',
  JobnetRunStatus: 'Keyword',
  JobnetRevision: 'Keyword',
  JobnetBusinessDate: 'Keyword',
  JobnetTrigger: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof searchAttributes;
