/**
 * Whether a trouble opens an incident, and with which impact and urgency (R-INC-1, R-INC-4): the
 * rule of its kind, its `register` flag, the include and exclude patterns (exclude wins) and, for
 * `jobnetAbended`, `ignoreOperatorForcedEnd` (an operator's forced end opens nothing; a time-limit
 * kill still does).
 *
 * Patterns (R-INC-1): `*` any name, `AA*` prefix, `*AA` suffix, `*AA*` infix, an exact name, or
 * comma-separated alternatives of these; case-sensitive.
 *
 * Pure and sandbox-safe: no I/O, no clock.
 */
import type { CompiledIncidentPolicy, CompiledIncidentRule, JobnetSelector } from './delivery-config.js';
import type { JobnetTrouble } from './jobnet-state.js';

/** Does `name` match one alternative of `pattern`? */
export function matchesNamePattern(pattern: string, name: string): boolean {
  return pattern.split(',').some((alternative) => matchesOne(alternative, name));
}

function matchesOne(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  const leading = pattern.startsWith('*');
  const trailing = pattern.endsWith('*') && pattern.length > 1;
  const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (leading && trailing) return name.includes(core);
  if (leading) return name.endsWith(core);
  if (trailing) return name.startsWith(core);
  return name === core;
}

export function matchesSelector(selector: JobnetSelector, project: string, jobnet: string): boolean {
  return matchesNamePattern(selector.project, project) && matchesNamePattern(selector.jobnet, jobnet);
}

/** The rule a kind has when the policy does not name it: registered, 3/3, everything. */
export function defaultIncidentRule(): CompiledIncidentRule {
  return {
    register: true,
    impact: 3,
    urgency: 3,
    include: [{ project: '*', jobnet: '*' }],
    exclude: [],
    ignoreOperatorForcedEnd: false,
  };
}

/** What a trouble comes to under a policy. */
export type IncidentDecision =
  { register: true; impact: 1 | 2 | 3; urgency: 1 | 2 | 3 } | { register: false; reason: string };

/** The trouble fields a decision reads. */
export type TroubleForPolicy = Pick<JobnetTrouble, 'kind' | 'project' | 'jobnet' | 'forcedReason'>;

/** Decides whether `trouble` opens an incident (see the module header). */
export function incidentDecisionOf(
  policy: CompiledIncidentPolicy | undefined,
  trouble: TroubleForPolicy,
): IncidentDecision {
  if (policy === undefined) return { register: false, reason: 'no IncidentPolicy is applied' };
  const rule = policy.rules[trouble.kind] ?? defaultIncidentRule();
  if (!rule.register) return { register: false, reason: `the ${trouble.kind} rule does not register incidents` };
  const { project, jobnet } = trouble;
  if (rule.exclude.some((selector) => matchesSelector(selector, project, jobnet)))
    return { register: false, reason: `${project}/${jobnet} is excluded by the ${trouble.kind} rule` };
  if (!rule.include.some((selector) => matchesSelector(selector, project, jobnet)))
    return { register: false, reason: `${project}/${jobnet} is not included by the ${trouble.kind} rule` };
  if (trouble.kind === 'jobnetAbended' && rule.ignoreOperatorForcedEnd && trouble.forcedReason === 'operator')
    return { register: false, reason: 'forced ends by an operator are ignored (ignoreOperatorForcedEnd)' };
  return { register: true, impact: rule.impact, urgency: rule.urgency };
}
