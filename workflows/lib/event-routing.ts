/**
 * Message-event routing (R-EVT-1): which jobnets an event raised with a scope reaches. The
 * applied definitions give each jobnet's route — the events that start it (`start.events`) and
 * the events its `waitEvent` jobs wait for — and a raise reaches every jobnet in its scope that
 * waits for the event in either way.
 *
 * Pure and sandbox-safe: the event registry workflow routes with it, `jobnet apply` builds the
 * routes with it, and the plan can show them.
 */
import type { CompiledJobnet } from './compiled-jobnet.js';

/** The events one jobnet waits for. */
export interface EventRoute {
  project: string;
  jobnet: string;
  /** Events of its `start.events` trigger, sorted. */
  startEvents: string[];
  /** Events its `waitEvent` jobs wait for, sorted. */
  waitEvents: string[];
}

/** The scope of a raise: everything, one project, or one jobnet of one project. */
export interface EventScope {
  project?: string;
  jobnet?: string;
}

/** The route of one compiled jobnet; undefined when it waits for no event. */
export function eventRouteOf(jobnet: CompiledJobnet): EventRoute | undefined {
  const startEvents = [...(jobnet.schedule?.start.events?.names ?? [])].sort();
  const waitEvents = [
    ...new Set(Object.values(jobnet.jobs).flatMap((job) => (job.type === 'waitEvent' ? [job.spec.event] : []))),
  ].sort();
  if (startEvents.length === 0 && waitEvents.length === 0) return undefined;
  return { project: jobnet.project, jobnet: jobnet.name, startEvents, waitEvents };
}

/** The routes of the applied jobnets, sorted by project, then jobnet. */
export function eventRoutesOf(jobnets: readonly CompiledJobnet[]): EventRoute[] {
  return jobnets
    .map(eventRouteOf)
    .filter((route): route is EventRoute => route !== undefined)
    .sort((a, b) => compare(a.project, b.project) || compare(a.jobnet, b.jobnet));
}

/**
 * Why a scope is malformed (R-EVT-1: a jobnet without a project), or undefined.
 */
export function scopeProblem(scope: EventScope): string | undefined {
  if (scope.jobnet !== undefined && scope.project === undefined)
    return 'an event scoped to a jobnet needs its project too';
  return undefined;
}

/** Whether `route` lies in `scope`. */
export function inScope(route: { project: string; jobnet: string }, scope: EventScope): boolean {
  if (scope.project !== undefined && route.project !== scope.project) return false;
  if (scope.jobnet !== undefined && route.jobnet !== scope.jobnet) return false;
  return true;
}

/** The routes a raise of `event` in `scope` reaches, in route order. */
export function eventTargets(routes: readonly EventRoute[], event: string, scope: EventScope): EventRoute[] {
  return routes.filter(
    (route) => inScope(route, scope) && (route.startEvents.includes(event) || route.waitEvents.includes(event)),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
