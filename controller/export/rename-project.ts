/**
 * Renaming the project of a bundle (`jobnet import --project NEWNAME`): the project's own name
 * and every reference to it — the `metadata.project` of its jobnets, `raiseEvent` scopes naming
 * it (in any jobnet of the bundle), and the exact-name alternatives of incident-policy project
 * patterns (`sales` in `sales,infra`; wildcard patterns such as `sal*` are left as written, they
 * match by shape, not by name). Child jobnets (`type: jobnet`) name no project: they stay.
 *
 * Pure: returns new values, never changes its input.
 */
import { jobsOf } from './project-definitions.js';
import type { JobnetDocument } from '../definitions/types.generated.js';

/** The definitions with project `from` renamed to `to`. */
export function renameProject(definitions: readonly unknown[], from: string, to: string): unknown[] {
  if (from === to) return [...definitions];
  return definitions.map((value) => {
    const doc = structuredClone(value) as {
      kind?: unknown;
      metadata?: { name?: unknown; project?: unknown };
      spec?: unknown;
    };
    if (doc.kind === 'Project' && doc.metadata?.name === from) doc.metadata.name = to;
    if (doc.kind === 'Jobnet') {
      if (doc.metadata?.project === from) doc.metadata.project = to;
      for (const job of jobsOf(doc as JobnetDocument)) {
        if (job.type === 'raiseEvent' && job.project === from) job.project = to;
      }
    }
    if (doc.kind === 'IncidentPolicy') renamePolicyPatterns(doc.spec, from, to);
    return doc;
  });
}

function renamePolicyPatterns(spec: unknown, from: string, to: string): void {
  const rules = (spec as { rules?: unknown } | undefined)?.rules;
  if (typeof rules !== 'object' || rules === null) return;
  for (const rule of Object.values(rules as Record<string, unknown>)) {
    for (const list of ['include', 'exclude']) {
      const scopes = (rule as Record<string, unknown> | null)?.[list];
      if (!Array.isArray(scopes)) continue;
      for (const scope of scopes as { project?: unknown }[]) {
        if (typeof scope?.project !== 'string') continue;
        scope.project = scope.project
          .split(',')
          .map((alternative) => (alternative === from ? to : alternative))
          .join(',');
      }
    }
  }
}
