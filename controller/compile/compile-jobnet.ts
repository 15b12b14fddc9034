/**
 * The compile step of the definitions pipeline (docs/architecture.md#one-pipeline-from-source-to-status): a validated repository in, the
 * compiled jobnets a run executes out (`workflows/lib/compiled-jobnet.ts`). Compiling fills in
 * every default of the definition format, converts durations to seconds, parses the exit-code
 * conditions of conditional edges (R-DEP-2), resolves the jobnet's calendar (R-CAL) and its
 * job-definition variables for one environment (R-VAR-2), gathers every child jobnet reachable
 * through `jobnet` jobs into one flat map (R-JN-2), and pins the result to the revision with a
 * content digest (R-GIT-3).
 *
 * What it must not do: I/O of any kind, substitute `@…@` references (that happens once, when a job
 * starts: R-VAR-4), or judge definitions for users — the validator does that, with located
 * diagnostics. Compile a repository only after its validation succeeded; on an invalid one the
 * compile step refuses (with a plain message) what it cannot make sense of instead of guessing.
 * Its output is plain JSON without `undefined` anywhere, so it survives Temporal's payload
 * conversion unchanged and digests are stable. It is shared, not copied, where that is cheaper
 * (calendars, a child compiled for several parents, the REST objects of the parsed documents):
 * nobody may mutate a compiled jobnet.
 */
import {
  resolveCalendar,
  systemCalendar,
  systemCalendarName,
  type BusinessCalendar,
} from '../../workflows/lib/business-calendar.js';
import {
  compiledJob,
  compiledJobnetProblems,
  type CompiledJob,
  type CompiledJobFields,
  type CompiledJobnet,
  type CompiledPredecessor,
  type CompiledRetry,
} from '../../workflows/lib/compiled-jobnet.js';
import { parseDuration } from '../../workflows/lib/durations.js';
import { parseExitCodeCondition } from '../../workflows/lib/exit-code-condition.js';
import {
  defaultRestOutputLimitBytes,
  type CheckVariableSpec,
  type CommandSpec,
  type RaiseEventSpec,
  type RestCallSpec,
  type RestCredential,
  type RestMonitoringSpec,
  type RestRequestSpec,
  type RestSpec,
  type TypedJobSpec,
  type WaitTimeSpec,
} from '../../workflows/lib/job-specs.js';
import { jobnetKey, type DefinitionIndex, type Located } from '../definitions/definition-index.js';
import type {
  CheckVariableJob,
  EnvironmentDocument,
  Job,
  JobDependency,
  JobnetDocument,
  JobRetry,
  RestJob,
  RestTermination,
} from '../definitions/types.generated.js';
import type { ValidatedRepository } from '../definitions/validate-repository.js';
import { definitionVariables, jobnetCalendarName } from '../definitions/jobnet-inheritance.js';
import { compileSchedule, ScheduleCompileError } from './compile-schedule.js';
import { jobnetBodyDigest, jobnetDigestOf } from './jobnet-digest.js';

/** How to compile. */
export interface CompileOptions {
  /**
   * Name of the Environment whose variables fill the Environment layer of R-VAR-2. Omitted: the
   * Settings `environment`, else no environment variables.
   */
  environment?: string;
  /**
   * Bodies compiled by earlier compilations (the controller keeps one across reconciles): a
   * jobnet document that is the very same one as then, compiled against the very same other
   * documents, is not compiled again.
   */
  cache?: CompileCache;
}

/**
 * Compiled jobnet bodies kept from one compilation to the next. A body depends on its jobnet's
 * document and on the documents that are not jobnets (Settings, calendars, day patterns,
 * credentials, environments, projects, incident policies) and the environment compiled for —
 * never on another jobnet (a child is named, and compiled as a body of its own) — so the bodies
 * are kept by jobnet document, and all dropped when any of the others is not the same object as
 * before (a revision's unchanged files keep their documents: RepositoryValidator).
 */
export class CompileCache {
  private signature: readonly unknown[] = [];
  private bodies = new WeakMap<Located<JobnetDocument>, CompiledJobnet>();

  /** The kept bodies, after dropping them all if what they depend on changed. */
  bodiesFor(index: DefinitionIndex, environment: string | undefined): WeakMap<Located<JobnetDocument>, CompiledJobnet> {
    const signature: unknown[] = [environment, index.settings];
    for (const map of [
      index.calendars,
      index.dayPatterns,
      index.credentials,
      index.environments,
      index.projects,
      index.incidentPolicies,
    ] as ReadonlyMap<string, unknown>[]) {
      signature.push(map.size);
      for (const entry of map) signature.push(...entry);
    }
    const same = signature.length === this.signature.length && signature.every((item, i) => item === this.signature[i]);
    if (!same) {
      this.signature = signature;
      this.bodies = new WeakMap();
    }
    return this.bodies;
  }
}

/** A compiled jobnet, or why it could not be compiled. */
export type CompileResult = { ok: true; jobnet: CompiledJobnet } | { ok: false; message: string };

/** A jobnet {@link compileAllJobnets} left out, and why. */
export interface CompileFailure {
  project: string;
  jobnet: string;
  message: string;
}

/**
 * Every jobnet that compiles, sorted by project and name, plus the ones that did not (only a
 * repository whose validation failed has any); or, when the environment is unknown, why nothing
 * was compiled.
 */
export type CompileAllResult =
  { ok: true; jobnets: CompiledJobnet[]; failures: CompileFailure[] } | { ok: false; message: string };

/**
 * The revision recorded when the repository has none (a directory that is not a git checkout):
 * runs still pin something, and a reader can tell it is not a commit SHA.
 */
export const unversionedRevision = 'unversioned';

/** Why one definition cannot be compiled; caught at this module's boundary, never escapes it (exported for the error-name check). */
export class CompileRefusal extends Error {
  override name = 'CompileRefusal';
}

/** What every jobnet of one compilation shares, and what it has compiled so far. */
interface CompileContext {
  index: DefinitionIndex;
  revision: string;
  environment?: { name: string; document: EnvironmentDocument };
  /** Jobnets compiled without `children`, with their digest, by `<project>/<name>`: a child is compiled once however many parents run it. */
  bodies: Map<string, CompiledJobnet>;
  /** Resolved calendars by name. */
  calendars: Map<string, BusinessCalendar>;
  /** Bodies of earlier compilations by jobnet document, without regard to their revision (CompileCache). */
  kept?: WeakMap<Located<JobnetDocument>, CompiledJobnet>;
}

/**
 * Compiles the jobnet `project`/`jobnet` of a validated repository for one environment: the jobnet
 * itself with `children` holding every jobnet reachable through its `jobnet` jobs (recursively,
 * same project; R-JN-2), each compiled the same way but without `children` of its own. Every
 * compiled jobnet carries its digest (jobnet-digest.ts); the parent's digest covers its
 * children's. Treat the result as immutable: compiled jobnets may share parts (a calendar, a
 * child compiled once for several parents).
 *
 * Returns `{ok: false}` naming what is missing (and what exists) for an unknown project, jobnet
 * or environment, and with the reason when a definition cannot be compiled, which happens only
 * when the repository did not validate. Never throws for definition content.
 */
export function compileJobnet(
  repository: ValidatedRepository,
  project: string,
  jobnet: string,
  options: CompileOptions = {},
): CompileResult {
  const context = compileContext(repository, options);
  if (!context.ok) return context;
  const located = repository.index.jobnets.get(jobnetKey(project, jobnet));
  if (located === undefined) return { ok: false, message: unknownJobnetMessage(repository.index, project, jobnet) };
  return refusalAsResult(() => compileWithChildren(context.value, located));
}

/**
 * Compiles every jobnet of a validated repository for one environment, like {@link compileJobnet},
 * sorted by project, then name. A jobnet that cannot be compiled is listed in `failures` (none
 * when the repository validated), never silently dropped. Returns `{ok: false}` when the
 * environment is unknown: compiling nothing then would read as "every jobnet was removed".
 */
export function compileAllJobnets(repository: ValidatedRepository, options: CompileOptions = {}): CompileAllResult {
  const context = compileContext(repository, options);
  if (!context.ok) return context;
  const jobnets: CompiledJobnet[] = [];
  const failures: CompileFailure[] = [];
  const entries = [...repository.index.jobnets.values()].map((located) => ({ located, ...identityOf(located) }));
  entries.sort((a, b) => compareText(a.project, b.project) || compareText(a.name, b.name));
  for (const { located, project, name } of entries) {
    const result = refusalAsResult(() => compileWithChildren(context.value, located));
    if (result.ok) jobnets.push(result.jobnet);
    else failures.push({ project, jobnet: name, message: result.message });
  }
  return { ok: true, jobnets, failures };
}

// ---------------------------------------------------------------------------------------------
// Lookups.

function compileContext(
  repository: ValidatedRepository,
  options: CompileOptions,
): { ok: true; value: CompileContext } | { ok: false; message: string } {
  const context: CompileContext = {
    index: repository.index,
    revision: repository.revision ?? unversionedRevision,
    bodies: new Map(),
    calendars: new Map(),
  };
  const environment = options.environment ?? repository.index.settings?.value.spec?.environment;
  if (options.cache !== undefined) context.kept = options.cache.bodiesFor(repository.index, environment);
  if (environment === undefined) return { ok: true, value: context };
  const located = repository.index.environments.get(environment);
  if (located === undefined) {
    const known = [...repository.index.environments.keys()].sort(compareText);
    const listing =
      known.length > 0 ? `; environments: ${known.join(', ')}` : '; the repository defines no Environment';
    return { ok: false, message: `unknown environment "${environment}"${listing}` };
  }
  if (located.schemaErrorPaths.length > 0) {
    return {
      ok: false,
      message: `environment "${environment}" (${located.doc.file}) has schema errors; run jobnet validate`,
    };
  }
  context.environment = { name: environment, document: located.value };
  return { ok: true, value: context };
}

function unknownJobnetMessage(index: DefinitionIndex, project: string, jobnet: string): string {
  const inProject = [...index.jobnets.values()]
    .map(identityOf)
    .filter((id) => id.project === project)
    .map((id) => id.name)
    .sort(compareText);
  if (inProject.length > 0)
    return `unknown jobnet "${project}/${jobnet}"; jobnets of project ${project}: ${inProject.join(', ')}`;
  const projects = [
    ...new Set([...index.projects.keys(), ...[...index.jobnets.values()].map((l) => identityOf(l).project)]),
  ].sort(compareText);
  const listing = projects.length > 0 ? `projects: ${projects.join(', ')}` : 'the repository defines no project';
  return index.projects.has(project)
    ? `unknown jobnet "${project}/${jobnet}"; project ${project} has no jobnets`
    : `unknown project "${project}" (looking for jobnet "${project}/${jobnet}"); ${listing}`;
}

function identityOf(located: Located<JobnetDocument>): { project: string; name: string } {
  return { project: located.value.metadata.project, name: located.value.metadata.name };
}

function refusalAsResult(compile: () => CompiledJobnet): CompileResult {
  try {
    return { ok: true, jobnet: compile() };
  } catch (error) {
    if (error instanceof CompileRefusal) return { ok: false, message: error.message };
    throw error;
  }
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Jobnets.

/** R-JN-2: the jobnet plus every jobnet reachable through `jobnet` jobs, as one flat map. */
function compileWithChildren(context: CompileContext, root: Located<JobnetDocument>): CompiledJobnet {
  const body = compiledBody(context, root);
  const children = new Map<string, CompiledJobnet>();
  // Breadth-first with a moving head, not recursion or `shift()`: linear however deep or wide.
  const queue: CompiledJobnet[] = [body];
  for (let head = 0; head < queue.length; head++) {
    const parent = queue[head]!;
    for (const job of Object.values(parent.jobs)) {
      if (job.type !== 'jobnet') continue;
      const childName = job.spec.jobnet;
      if (childName === body.name || children.has(childName)) continue; // a cycle (refused by validation) ends here
      const located = context.index.jobnets.get(jobnetKey(body.project, childName));
      if (located === undefined) {
        throw new CompileRefusal(
          `jobnet ${body.project}/${parent.name}, job ${job.name}: child jobnet ${body.project}/${childName} is not defined`,
        );
      }
      const child = compiledBody(context, located);
      children.set(childName, child);
      queue.push(child);
    }
  }
  const sorted = [...children].sort(([a], [b]) => compareText(a, b));
  // `body.digest` covers the body alone (as a child entry needs); the root's covers its children too.
  const digest = jobnetDigestOf(
    body.digest as string,
    Object.fromEntries(sorted.map(([name, child]) => [name, child.digest as string])),
  );
  return { ...body, children: Object.fromEntries(sorted), digest };
}

/** One jobnet without `children`, with its digest; compiled once per compilation. */
function compiledBody(context: CompileContext, located: Located<JobnetDocument>): CompiledJobnet {
  const { project, name } = identityOf(located);
  const key = jobnetKey(project, name);
  const cached = context.bodies.get(key);
  if (cached !== undefined) return cached;
  const kept = context.kept?.get(located);
  if (kept !== undefined) {
    // The digest leaves the revision out: the kept one holds.
    const body = kept.revision === context.revision ? kept : { ...kept, revision: context.revision };
    context.bodies.set(key, body);
    return body;
  }
  const where = `jobnet ${project}/${name}`;
  if (located.schemaErrorPaths.length > 0)
    throw new CompileRefusal(`${where} (${located.doc.file}) has schema errors; run jobnet validate`);
  const document = located.value;
  const jobs: Record<string, CompiledJob> = {};
  for (const [jobName, job] of Object.entries(document.spec.jobs))
    jobs[jobName] = compileJob(context, jobName, job, `${where}, job ${jobName}`);

  const compiled: CompiledJobnet = { project, name, revision: context.revision, jobs };
  if (document.metadata.title !== undefined) compiled.title = document.metadata.title;
  if (context.environment !== undefined) compiled.environment = context.environment.name;
  compiled.variables = definitionVariables(context.index, document, context.environment?.document);
  compiled.calendar = jobnetCalendar(context, document, where);
  try {
    compiled.schedule = compileSchedule(context.index, document);
  } catch (error) {
    if (error instanceof ScheduleCompileError) throw new CompileRefusal(`${where}: ${error.message}`);
    throw error;
  }

  const problems = compiledJobnetProblems(compiled);
  if (problems.length > 0) throw new CompileRefusal(`${where}: ${problems.join('; ')}`);
  try {
    compiled.digest = jobnetBodyDigest(compiled);
  } catch (error) {
    // YAML can write what JSON cannot carry (`.inf`, `.nan` in a REST body); Temporal would mangle it.
    if (error instanceof TypeError)
      throw new CompileRefusal(`${where}: ${error.message}; a job definition must be plain JSON`);
    throw error;
  }
  context.bodies.set(key, compiled);
  context.kept?.set(located, compiled);
  return compiled;
}

/** The calendar of R-CAL, resolved: the jobnet's calendar name (jobnet-inheritance.ts), else `SYSTEM_CALENDAR` in the Settings time zone (R-CAL-1). */
function jobnetCalendar(context: CompileContext, jobnet: JobnetDocument, where: string): BusinessCalendar {
  const { index } = context;
  const name = jobnetCalendarName(index, jobnet);
  const cached = context.calendars.get(name);
  if (cached !== undefined) return cached;
  const timezone = index.settings?.value.spec?.timezone ?? 'UTC';
  const located = index.calendars.get(name);
  let calendar: BusinessCalendar;
  try {
    if (located === undefined) {
      if (name !== systemCalendarName) throw new CompileRefusal(`${where}: calendar ${name} is not defined`);
      calendar = systemCalendar(timezone);
    } else {
      // One revision: the repository holds the calendar as of this commit (R-CAL-4 `validFrom`
      // versions across commits are a matter for whoever keeps older revisions).
      calendar = resolveCalendar(name, [located.value.spec ?? {}], timezone);
    }
  } catch (error) {
    if (error instanceof RangeError) throw new CompileRefusal(`${where}: calendar ${name}: ${error.message}`);
    throw error;
  }
  context.calendars.set(name, calendar);
  return calendar;
}

// ---------------------------------------------------------------------------------------------
// Jobs.

/** One job with every default of the definition format filled in (R-DEP, R-EXIT-1, R-JOB). */
function compileJob(context: CompileContext, name: string, job: Job, where: string): CompiledJob {
  const fields: CompiledJobFields = {
    name,
    ...compileTypedSpec(context, job, where),
    predecessors: (job.after ?? []).map((entry) => compilePredecessor(entry, where)),
    join: job.join ?? 'all',
    normalExitMax: job.normalExitMax ?? 0,
    alwaysNormal: job.alwaysNormal ?? false,
    hold: job.hold ?? false,
    disabled: job.disabled ?? false,
    rerunAfterRecovery: job.rerunAfterRecovery ?? false,
    restartPoint: job.restartPoint ?? false,
    exclusive: [...(job.exclusive ?? [])],
  };
  if (job.title !== undefined) fields.title = job.title;
  if (job.recovery !== undefined) fields.recovery = job.recovery;
  if (job.retry !== undefined) fields.retry = compileRetry(job.retry, where);
  if (job.timeLimit !== undefined) fields.timeLimitSeconds = seconds(job.timeLimit, `${where}: timeLimit`);
  if (job.expectedDuration !== undefined)
    fields.expectedDurationSeconds = seconds(job.expectedDuration, `${where}: expectedDuration`);
  if (job.variables?.capture !== undefined) fields.capturePrefix = job.variables.capture;
  return inReadingOrder(compiledJob(fields));
}

/** Name, type and title first, for people reading `--json` output; the digest sorts keys anyway. */
function inReadingOrder(job: CompiledJob): CompiledJob {
  const { name, type, title } = job;
  return Object.assign({ name, type, ...(title === undefined ? {} : { title }) }, job);
}

/** R-DEP-1, R-DEP-2: a name, or `{job, exitCode}` with the condition parsed. */
function compilePredecessor(entry: JobDependency, where: string): CompiledPredecessor {
  if (typeof entry === 'string') return { job: entry };
  if (entry.exitCode === undefined) return { job: entry.job };
  const parsed = parseExitCodeCondition(String(entry.exitCode));
  if (!parsed.ok) throw new CompileRefusal(`${where}: after ${entry.job}: ${parsed.message}`);
  return { job: entry.job, condition: parsed.condition };
}

/** R-JOB `retry`: the interval in seconds (default `0s`). */
function compileRetry(retry: JobRetry, where: string): CompiledRetry {
  const compiled: CompiledRetry = {
    attempts: retry.attempts,
    intervalSeconds: seconds(retry.interval ?? '0s', `${where}: retry.interval`),
  };
  if (retry.onExitCodes !== undefined) compiled.onExitCodes = [...retry.onExitCodes];
  return compiled;
}

function seconds(duration: string, where: string): number {
  const parsed = parseDuration(duration);
  if (parsed === undefined)
    throw new CompileRefusal(`${where}: ${JSON.stringify(duration)} is not a duration such as 90s, 10m or 1h30m`);
  return parsed;
}

/** The job's type with its type-specific part, shaped as `workflows/lib/job-specs.ts` says, `@…@` references untouched (R-VAR-4). */
function compileTypedSpec(context: CompileContext, job: Job, where: string): TypedJobSpec {
  switch (job.type) {
    case 'sleep':
      return { type: job.type, spec: { seconds: job.seconds } };
    case 'waitTime': {
      const spec: WaitTimeSpec = { until: job.until };
      if (job.latest !== undefined) spec.latest = job.latest;
      return { type: job.type, spec };
    }
    case 'raiseEvent': {
      const spec: RaiseEventSpec = { event: job.event };
      if (job.project !== undefined) spec.project = job.project;
      if (job.jobnet !== undefined) spec.jobnet = job.jobnet;
      if (job.param !== undefined) spec.param = job.param;
      if (job.suffix !== undefined) spec.suffix = job.suffix;
      return { type: job.type, spec };
    }
    case 'waitEvent':
      // `interval` is accepted for WOI compatibility only: delivery is immediate (R-JOBT-5).
      return { type: job.type, spec: { event: job.event } };
    case 'checkVariable':
      return { type: job.type, spec: compileCheckVariable(job, where) };
    case 'jobnet':
      return { type: job.type, spec: { jobnet: job.jobnet } };
    case 'command': {
      const spec: CommandSpec = { argv: [...job.argv], env: { ...(job.env ?? {}) } };
      if (job.cwd !== undefined) spec.cwd = job.cwd;
      if (job.timeout !== undefined) spec.timeoutSeconds = seconds(job.timeout, `${where}: timeout`);
      return { type: job.type, spec };
    }
    case 'rest':
      return { type: job.type, spec: compileRest(context, job, where) };
  }
}

/**
 * R-REST-1..3: the three objects with their defaults, and the credential named by
 * `request.credential` copied in with its references (never values, R-CRED-4), so a run uses the
 * credential of its own revision and a credential change changes the digest of every jobnet using it.
 */
function compileRest(context: CompileContext, job: RestJob, where: string): RestSpec {
  const { credential: credentialName, timeout, takeoverKeys, jobnetValKeys, ...call } = job.request;
  const request: RestRequestSpec = { ...restCall(call), timeout: timeout ?? 10 };
  if (takeoverKeys !== undefined) request.takeoverKeys = { ...takeoverKeys };
  if (jobnetValKeys !== undefined) request.jobnetValKeys = { ...jobnetValKeys };
  const spec: RestSpec = { request, outputLimitBytes: job.outputLimitBytes ?? defaultRestOutputLimitBytes };
  if (job.monitoring !== undefined) {
    const {
      pollingInterval,
      pollingCount,
      firstMonitorInterval,
      pollingEndKey,
      pollingEndVal,
      checkResultKey,
      checkResultVal,
      jobnetValKeys: pollKeys,
      ...pollCall
    } = job.monitoring;
    const monitoring: RestMonitoringSpec = {
      ...restCall(pollCall),
      pollingInterval: pollingInterval ?? 60,
      pollingCount: pollingCount ?? 0,
      firstMonitorInterval: firstMonitorInterval ?? 10,
      pollingEndKey,
      pollingEndVal: [...pollingEndVal],
      checkResultKey,
    };
    if (checkResultVal !== undefined) monitoring.checkResultVal = [...checkResultVal];
    if (pollKeys !== undefined) monitoring.jobnetValKeys = { ...pollKeys };
    spec.monitoring = monitoring;
  }
  if (job.termination !== undefined) spec.termination = restCall(job.termination);
  if (credentialName !== undefined) {
    const located = context.index.credentials.get(credentialName);
    if (located === undefined) throw new CompileRefusal(`${where}: credential ${credentialName} is not defined`);
    const { memo: _memo, ...credential } = located.value.spec;
    spec.credential = { name: credentialName, ...credential } as RestCredential;
  }
  return spec;
}

/** The parts every REST call has; the body is kept as written (a string is sent as is). */
function restCall(call: RestTermination): RestCallSpec {
  const compiled: RestCallSpec = { url: call.url, method: call.method };
  if (call.query !== undefined) compiled.query = { ...call.query };
  if (call.header !== undefined) compiled.header = { ...call.header };
  if (call.body !== undefined) compiled.body = call.body;
  return compiled;
}

/** R-JOBT-6: `number` as a single comparison or a `from`/`to` range, `invert` defaulted. */
function compileCheckVariable(job: CheckVariableJob, where: string): CheckVariableSpec {
  const spec: CheckVariableSpec = { variable: job.variable, invert: job.invert ?? false };
  const number = job.number;
  if (number !== undefined) {
    if (number.from !== undefined && number.to !== undefined) {
      spec.number = {
        from: { op: number.from.op, value: number.from.value },
        to: { op: number.to.op, value: number.to.value },
      };
    } else if (
      number.op !== undefined &&
      number.value !== undefined &&
      number.from === undefined &&
      number.to === undefined
    ) {
      spec.number = { op: number.op, value: number.value };
    } else {
      throw new CompileRefusal(`${where}: number needs either op and value, or from and to`);
    }
  }
  if (job.string !== undefined) spec.string = { op: job.string.op, value: job.string.value };
  return spec;
}
