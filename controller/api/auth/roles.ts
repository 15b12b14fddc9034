/**
 * Role resolution (R-SEC-3): which role an account holds on a project, from the project's access
 * grants (Project `spec.access`, published with each applied revision). A grant applies to the
 * account when one of its subjects is the account's subject or one of its groups; across the
 * grants that apply the highest role wins. A project without grants is visible to global admins
 * only; a global admin holds `admin` everywhere.
 *
 * Pure: no I/O.
 */
import type { ProjectAccessGrant, ProjectAccessGrants } from '../../../workflows/event-registry-contract.js';
import { roleRank, type Caller, type ProjectRole } from '../operator-api.js';

/** Whether a grant names the caller (its subject or one of its groups). */
function grantsTo(grant: ProjectAccessGrant, caller: Caller): boolean {
  return grant.subjects.some((subject) => subject === caller.subject || caller.groups.includes(subject));
}

/** The caller's role on a project with `grants` (undefined: none — the project is invisible to the caller). */
export function roleFromGrants(
  caller: Caller,
  grants: readonly ProjectAccessGrant[] | undefined,
): ProjectRole | undefined {
  if (caller.admin) return 'admin';
  let best: ProjectRole | undefined;
  for (const grant of grants ?? [])
    if (grantsTo(grant, caller) && (best === undefined || roleRank[grant.role] > roleRank[best])) best = grant.role;
  return best;
}

/** The projects the caller may see: `all` for a global admin, else those granting it any role, sorted. */
export function visibleProjectsFromGrants(caller: Caller, access: ProjectAccessGrants): 'all' | string[] {
  if (caller.admin) return 'all';
  return Object.keys(access)
    .filter((project) => roleFromGrants(caller, access[project]) !== undefined)
    .sort();
}

/**
 * The access grants of a revision's projects (`spec.access` by project name), keeping only projects
 * that grant something, in name order so that equal grants compare equal.
 */
export function accessGrantsOf(
  projects: Iterable<{ name: string; access?: readonly ProjectAccessGrant[] | undefined }>,
): ProjectAccessGrants {
  const grants: ProjectAccessGrants = {};
  for (const project of [...projects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    if (project.access !== undefined && project.access.length > 0)
      grants[project.name] = project.access.map((grant) => ({ role: grant.role, subjects: [...grant.subjects] }));
  return grants;
}
