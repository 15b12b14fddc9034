/**
 * R-VAR-2: an unknown `@NAME@` is a validation error, not a run-time surprise. A name is known
 * when Settings, the Project or the Jobnet defines it, when every Environment defines it (any of
 * them may be the one selected at run time), or — in a REST job — when the job's credential has
 * it among its `keys` (R-CRED-2). R-VAR-1: `@PREFIX.NAME@` needs a job that captures PREFIX.
 */
import { findVariableReferences } from '../../../workflows/lib/variable-references.js';
import { jobnetKey } from '../definition-index.js';
import type { Job } from '../types.generated.js';
import { validJobs, seg, validEntries, type Rule, type RuleContext } from './rule-context.js';

export const checkVariables: Rule = (context) => {
  const { index } = context;
  const settingsVariables = new Set(Object.keys(index.settings?.value.spec?.variables ?? {}));
  const environments = [...index.environments.values()];
  const parents = parentJobnets(context);
  const sees = capturedPrefixLookup(context);

  for (const [key, jobnet] of validEntries(index.jobnets)) {
    const { spec, metadata } = jobnet.value;
    const projectVariables = new Set(Object.keys(index.projects.get(metadata.project)?.value.spec?.variables ?? {}));
    const jobnetVariables = new Set(Object.keys(spec.variables ?? {}));

    for (const [jobName, job] of validJobs(jobnet)) {
      const credentialKeys = new Set(Object.keys(credentialOf(context, job)?.keys ?? {}));
      const seen = new Set<string>();
      const jobPointer = `/spec/jobs${seg(jobName)}`;
      forEachString(job, jobPointer, (text, pointer) => {
        // Free text is not substituted, so it may mention @ signs freely.
        if (pointer === `${jobPointer}/title` || pointer === `${jobPointer}/description`) return;
        for (const reference of findVariableReferences(text)) {
          const id = `${pointer} ${reference.kind} ${reference.name}`;
          if (seen.has(id)) continue;
          seen.add(id);
          if (reference.kind === 'definition') {
            const name = reference.name;
            if (jobnetVariables.has(name) || projectVariables.has(name) || settingsVariables.has(name) || credentialKeys.has(name)) continue;
            const defining = environments.filter((e) => e.value.spec?.variables && Object.hasOwn(e.value.spec.variables, name));
            if (defining.length > 0 && defining.length === environments.length) continue;
            const message =
              defining.length > 0
                ? `variable @${name}@ is defined in environment ${defining.map((e) => e.value.metadata.name).join(', ')} but not in ${environments
                    .filter((e) => !defining.includes(e))
                    .map((e) => e.value.metadata.name)
                    .join(', ')}; every environment must define it, or define it in Settings, the Project or the Jobnet`
                : `variable @${name}@ is not defined in Settings, any Environment, Project "${metadata.project}" or the jobnet's variables`;
            context.report('VAR-UNKNOWN', message, jobnet, pointer);
          } else if (reference.kind === 'jobnet') {
            const prefix = reference.name.split('.')[0]!;
            if (!sees(key, prefix)) {
              context.report(
                'VAR-CAPTURE-UNKNOWN',
                `jobnet variable @${reference.name}@: no job of this jobnet${parents.has(key) ? ' or of its parent jobnets' : ''} captures the prefix "${prefix}"`,
                jobnet,
                pointer,
              );
            }
          }
        }
      });
      if (job.type === 'checkVariable') {
        const prefix = job.variable.split('.')[0]!;
        if (!sees(key, prefix)) {
          context.report(
            'VAR-CAPTURE-UNKNOWN',
            `checkVariable reads ${job.variable}, but no job of this jobnet${parents.has(key) ? ' or of its parent jobnets' : ''} captures the prefix "${prefix}"`,
            jobnet,
            `/spec/jobs${seg(jobName)}/variable`,
          );
        }
      }
    }
  }
};

function credentialOf(context: RuleContext, job: Job): { keys?: Record<string, unknown> } | undefined {
  if (job.type !== 'rest' || !job.request.credential) return undefined;
  return context.index.credentials.get(job.request.credential)?.value.spec;
}

/** Jobnets that run each jobnet as a child: child key → parent keys. */
function parentJobnets(context: RuleContext): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  for (const [parent, children] of childJobnets(context)) {
    for (const child of children) parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  }
  return parents;
}

/** Jobnets each readable jobnet runs as a child: parent key → child keys. */
function childJobnets(context: RuleContext): Map<string, Set<string>> {
  const children = new Map<string, Set<string>>();
  for (const [key, jobnet] of validEntries(context.index.jobnets)) {
    const calls = new Set<string>();
    for (const [, job] of validJobs(jobnet)) if (job.type === 'jobnet') calls.add(jobnetKey(jobnet.value.metadata.project, job.jobnet));
    children.set(key, calls);
  }
  return children;
}

/**
 * Whether a jobnet sees a captured prefix: one of its jobs captures it, or a job of a (transitive)
 * parent does, since a child inherits captured variables (R-JN-2). For each prefix asked about,
 * the jobnets that see it are found once, walking down from the capturing jobnets with an explicit
 * queue: a chain of children may be 10,000 long, and most prefixes are never asked about.
 */
function capturedPrefixLookup(context: RuleContext): (key: string, prefix: string) => boolean {
  const children = childJobnets(context);
  const capturers = new Map<string, string[]>();
  for (const [key, jobnet] of validEntries(context.index.jobnets)) {
    for (const [, job] of validJobs(jobnet)) {
      const prefix = job.variables?.capture;
      if (!prefix) continue;
      const keys = capturers.get(prefix);
      if (keys === undefined) capturers.set(prefix, [key]);
      else keys.push(key);
    }
  }
  const seeing = new Map<string, Set<string>>();
  return (key, prefix) => {
    let seen = seeing.get(prefix);
    if (seen === undefined) {
      seen = new Set(capturers.get(prefix));
      const queue = [...seen];
      for (let head = 0; head < queue.length; head++) {
        for (const child of children.get(queue[head]!) ?? []) {
          if (seen.has(child)) continue;
          seen.add(child);
          queue.push(child);
        }
      }
      seeing.set(prefix, seen);
    }
    return seen.has(key);
  };
}

/** Calls `visit` for every string value (not keys) inside `value`, with its JSON pointer. */
export function forEachString(value: unknown, pointer: string, visit: (text: string, pointer: string) => void): void {
  if (typeof value === 'string') visit(value, pointer);
  else if (Array.isArray(value)) value.forEach((item, i) => forEachString(item, `${pointer}/${i}`, visit));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) forEachString(v, `${pointer}${seg(k)}`, visit);
  }
}
