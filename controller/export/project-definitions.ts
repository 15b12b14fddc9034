/**
 * Which definitions a project uses (R-EXP-1): exactly what its jobnets need to validate and to
 * compile as they do in the repository they come from, nothing more.
 *
 * - the Project and all its jobnets;
 * - the jobnets (and their projects) named by a `raiseEvent` scope of another project, and what
 *   those need in turn — a bundle must validate on its own, and the validator requires them;
 * - the calendars named by those jobnets, their projects and the Settings `defaultCalendar`
 *   (SYSTEM_CALENDAR only when the repository redefines it);
 * - the day patterns of `daysFrom` and `days.except.dayPattern`, and every pattern their own
 *   `except.dayPattern` chains name;
 * - the credentials (references to secrets, never secrets) of REST jobs, of the Settings log
 *   sinks and of the incident policies taken;
 * - the Settings (time zone, default calendar, repository variables: a jobnet compiles with them);
 * - every Environment: a compiled jobnet carries the merged variables of the environment it is
 *   compiled for (R-VAR-2), so an environment's variables are all part of what the jobnets run
 *   with, and leaving some out would change them;
 * - the incident policies with a rule whose project patterns take in one of the projects.
 *
 * Pure: reads a definition index only.
 */
import { jobnetKey, systemCalendarName, type DefinitionIndex, type Located } from '../definitions/definition-index.js';
import type { IncidentPolicyDocument, JobnetDocument } from '../definitions/types.generated.js';

/** The definitions `project` uses, as plain values; undefined when the project is not defined. */
export function projectDefinitions(index: DefinitionIndex, project: string): unknown[] | undefined {
  if (!index.projects.has(project)) return undefined;
  const projects = new Set<string>([project]);
  const jobnets = new Set<string>();
  const calendars = new Set<string>();
  const dayPatterns = new Set<string>();
  const credentials = new Set<string>();

  const queue: string[] = [];
  const addJobnet = (key: string) => {
    if (jobnets.has(key) || !index.jobnets.has(key)) return;
    jobnets.add(key);
    queue.push(key);
  };
  for (const [key, jobnet] of index.jobnets) if (jobnet.value.metadata.project === project) addJobnet(key);
  while (queue.length > 0) {
    const jobnet = index.jobnets.get(queue.pop()!)!.value;
    const own = jobnet.metadata.project;
    projects.add(own);
    addText(calendars, jobnet.spec?.calendar);
    addText(dayPatterns, jobnet.spec?.daysFrom);
    addText(dayPatterns, jobnet.spec?.days?.except?.dayPattern);
    for (const job of jobsOf(jobnet)) {
      if (job.type === 'rest') addText(credentials, recordOf(job.request)?.credential);
      else if (job.type === 'jobnet' && typeof job.jobnet === 'string') addJobnet(jobnetKey(own, job.jobnet));
      else if (job.type === 'raiseEvent') {
        const scope = typeof job.project === 'string' ? job.project : own;
        if (index.projects.has(scope)) projects.add(scope);
        if (typeof job.jobnet === 'string') addJobnet(jobnetKey(scope, job.jobnet));
      }
    }
  }
  for (const name of projects) addText(calendars, index.projects.get(name)?.value.spec?.calendar);

  const settings = index.settings?.value;
  addText(calendars, settings?.spec?.defaultCalendar);
  addText(credentials, settings?.spec?.logSinks?.azureMonitor?.credential);
  for (const hook of settings?.spec?.logSinks?.webhooks ?? []) addText(credentials, hook.credential);

  const policies = [...index.incidentPolicies.values()].filter((policy) =>
    [...projects].some((name) => policyTakesProject(policy.value, name)),
  );
  for (const policy of policies) {
    addText(credentials, policy.value.spec?.serviceNow?.credential);
    addText(credentials, policy.value.spec?.notify?.email?.smtp?.credential);
    for (const hook of policy.value.spec?.notify?.webhooks ?? []) addText(credentials, hook.credential);
  }

  // except.dayPattern chains, walked iteratively (validation accepts long chains).
  const pending = [...dayPatterns];
  while (pending.length > 0) {
    const next = index.dayPatterns.get(pending.pop()!)?.value.spec?.except?.dayPattern;
    if (next !== undefined && !dayPatterns.has(next)) {
      dayPatterns.add(next);
      pending.push(next);
    }
  }

  const values: unknown[] = [];
  const take = <T>(located: Located<T> | undefined) => {
    if (located !== undefined) values.push(located.value);
  };
  take(index.settings);
  for (const name of projects) take(index.projects.get(name));
  for (const key of jobnets) take(index.jobnets.get(key));
  for (const name of calendars)
    if (name !== systemCalendarName || index.calendars.has(name)) take(index.calendars.get(name));
  for (const name of dayPatterns) take(index.dayPatterns.get(name));
  for (const name of credentials) take(index.credentials.get(name));
  for (const environment of index.environments.values()) take(environment);
  for (const policy of policies) take(policy);
  return values;
}

/** Whether a rule of `policy` may apply to a jobnet of `project` (its include patterns, or the default `*`). */
export function policyTakesProject(policy: IncidentPolicyDocument, project: string): boolean {
  const rules = recordOf(policy.spec?.rules);
  // A trouble kind without a rule is registered with the defaults (every project).
  if (rules === undefined || Object.keys(rules).length < 6) return true;
  return Object.values(rules).some((rule) => {
    const include = recordOf(rule)?.include;
    if (!Array.isArray(include) || include.length === 0) return true;
    return include.some((scope) => {
      const pattern = recordOf(scope)?.project;
      return typeof pattern !== 'string' || namePatternMatches(pattern, project);
    });
  });
}

/** R-INC-1 name patterns: `*`, `AA*`, `*AA`, `*AA*`, an exact name, comma-separated alternatives. */
export function namePatternMatches(pattern: string, name: string): boolean {
  return pattern.split(',').some((alternative) => {
    if (alternative === '*') return true;
    const starts = alternative.startsWith('*');
    const ends = alternative.endsWith('*') && alternative.length > 1;
    const core = alternative.slice(starts ? 1 : 0, ends ? -1 : undefined);
    if (starts && ends) return name.includes(core);
    if (starts) return name.endsWith(core);
    if (ends) return name.startsWith(core);
    return name === alternative;
  });
}

type JobValue = Record<string, unknown> & { type?: unknown };

/** The jobs of a jobnet as plain records. */
export function jobsOf(jobnet: JobnetDocument): JobValue[] {
  const jobs = recordOf((jobnet.spec as { jobs?: unknown } | undefined)?.jobs);
  return jobs === undefined ? [] : Object.values(jobs).flatMap((job) => (recordOf(job) ? [job as JobValue] : []));
}

function addText(into: Set<string>, value: unknown): void {
  if (typeof value === 'string') into.add(value);
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
