/**
 * The custom search attributes run history and the controller query by (DESIGN.md §3, R-OPS-5,
 * R-GIT-3). On a run `JobnetRunStatus` is the run's status; on a jobnet actor it is the jobnet's
 * status (SPEC 4.1) and `JobnetRevision` the revision it holds. They are
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
  /**
   * On a jobnet actor: the content digest of the definition it holds, or `retired` once the
   * jobnet was removed — what the controller observes to plan (R-GIT-3) with one visibility query.
   */
  JobnetDigest: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof searchAttributes;
