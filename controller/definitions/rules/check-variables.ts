/**
 * R-VAR-2: an unknown `@NAME@` is a validation error, not a run-time surprise. A name is known
 * when Settings, the Project or the Jobnet defines it, when every Environment defines it (any of
 * them may be the one selected at run time), or — in a REST job — when the job's credential has
 * it among its `keys` (R-CRED-2). R-VAR-1: `@PREFIX.NAME@` needs a job that captures PREFIX.
 *
 * A job with schema errors is read too (rule-context.ts `jobFields`): its strings outside the
 * fields the schema reported, its capture prefix and its child jobnet count, so a typo in one field
 * hides no unknown variable in another and makes no capture of the job look missing.
 */
import { findVariableReferences } from '../../../workflows/lib/variable-references.js';
import { jobnetKey } from '../definition-index.js';
import {
  isRecord,
  jobFields,
  seg,
  textField,
  validEntries,
  type JobFields,
  type Rule,
  type RuleContext,
} from './rule-context.js';

export const checkVariables: Rule = (context) => {
  const { index } = context;
  const settingsVariables = new Set(Object.keys(index.settings?.value.spec?.variables ?? {}));
  const environments = [...index.environments.values()];
  const parents = parentJobnets(context);
  const sees = capturedPrefixLookup(context);
  const credentialKeys = new Map<string, Set<string>>();

  for (const [key, jobnet] of validEntries(index.jobnets)) {
    const { spec, metadata } = jobnet.value;
    const projectVariables = new Set(Object.keys(index.projects.get(metadata.project)?.value.spec?.variables ?? {}));
    const jobnetVariables = new Set(Object.keys(spec.variables ?? {}));

    for (const job of jobFields(jobnet)) {
      const credential = credentialKeysOf(context, job, credentialKeys);
      const seen = new Set<string>();
      const jobPointer = job.pointer;
      const titlePointer = `${jobPointer}/title`;
      const descriptionPointer = `${jobPointer}/description`;
      const visit = (text: string, pointer: string): void => {
        // Free text is not substituted, so it may mention @ signs freely.
        if (pointer === titlePointer || pointer === descriptionPointer) return;
        // Each problem once per field: `seen` is consulted only for a reference to report.
        const firstTime = (reference: { kind: string; name: string }): boolean => {
          const id = `${pointer} ${reference.kind} ${reference.name}`;
          if (seen.has(id)) return false;
          seen.add(id);
          return true;
        };
        for (const reference of findVariableReferences(text)) {
          if (reference.kind === 'definition') {
            const name = reference.name;
            // A credential that cannot be read could have the name among its keys.
            if (credential === 'unreadable') continue;
            if (
              jobnetVariables.has(name) ||
              projectVariables.has(name) ||
              settingsVariables.has(name) ||
              credential.has(name)
            )
              continue;
            const defining = environments.filter(
              (e) => e.value.spec?.variables && Object.hasOwn(e.value.spec.variables, name),
            );
            if (defining.length > 0 && defining.length === environments.length) continue;
            if (!firstTime(reference)) continue;
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
            if (!sees(key, prefix) && firstTime(reference)) {
              context.report(
                'VAR-CAPTURE-UNKNOWN',
                `jobnet variable @${reference.name}@: no job of this jobnet${parents.has(key) ? ' or of its parent jobnets' : ''} captures the prefix "${prefix}"`,
                jobnet,
                pointer,
              );
            }
          }
        }
      };
      // Fields the schema reported (an unknown field, a value of the wrong type) are not read.
      // Only a string with an `@` can hold a definition or jobnet variable.
      forEachString(job.value(''), jobPointer, visit, job.valid ? undefined : job.reported, ['@']);
      const checked = job.field('/type') === 'checkVariable' ? textField(job, '/variable') : undefined;
      if (checked !== undefined) {
        const prefix = checked.split('.')[0]!;
        if (!sees(key, prefix)) {
          context.report(
            'VAR-CAPTURE-UNKNOWN',
            `checkVariable reads ${checked}, but no job of this jobnet${parents.has(key) ? ' or of its parent jobnets' : ''} captures the prefix "${prefix}"`,
            jobnet,
            `${jobPointer}/variable`,
          );
        }
      }
    }
  }
};

/**
 * The keys of the credential a job names in `request.credential` (R-CRED-2): none when it names
 * none (or an undefined one, which is reported as such), `unreadable` when the name itself has a
 * schema error or is not a name.
 */
function credentialKeysOf(
  context: RuleContext,
  job: JobFields,
  byName: Map<string, Set<string>>,
): ReadonlySet<string> | 'unreadable' {
  if (job.value('/request/credential') === undefined) return noKeys;
  const name = textField(job, '/request/credential');
  if (name === undefined) return 'unreadable';
  let set = byName.get(name);
  if (set === undefined) {
    const keys: unknown = context.index.credentials.get(name)?.value.spec?.keys;
    set = new Set(isRecord(keys) ? Object.keys(keys) : []);
    byName.set(name, set);
  }
  return set;
}

const noKeys: ReadonlySet<string> = new Set();

/** Jobnets that run each jobnet as a child: child key → parent keys. */
function parentJobnets(context: RuleContext): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  for (const [parent, children] of childJobnets(context)) {
    for (const child of children) parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  }
  return parents;
}

const childJobnetsCache = new WeakMap<RuleContext['index'], Map<string, Set<string>>>();

/** Jobnets each readable jobnet runs as a child: parent key → child keys (built once per index). */
function childJobnets(context: RuleContext): Map<string, Set<string>> {
  const cached = childJobnetsCache.get(context.index);
  if (cached !== undefined) return cached;
  const children = new Map<string, Set<string>>();
  for (const [key, jobnet] of validEntries(context.index.jobnets)) {
    const calls = new Set<string>();
    for (const job of jobFields(jobnet)) {
      const child = job.field('/type') === 'jobnet' ? textField(job, '/jobnet') : undefined;
      if (child !== undefined) calls.add(jobnetKey(jobnet.value.metadata.project, child));
    }
    children.set(key, calls);
  }
  childJobnetsCache.set(context.index, children);
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
    for (const job of jobFields(jobnet)) {
      const prefix = textField(job, '/variables/capture');
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

/**
 * Calls `visit` for every string value (not keys) inside `value`, with its JSON pointer; a value
 * whose pointer `skip` accepts is passed over with everything inside it. With `containing`, only
 * the strings that contain one of its characters are visited (the others can hold no token): the
 * pointer of a string is then built only for those.
 */
export function forEachString(
  value: unknown,
  pointer: string,
  visit: (text: string, pointer: string) => void,
  skip?: (pointer: string) => boolean,
  containing?: readonly string[],
): void {
  if (skip?.(pointer) === true) return;
  if (typeof value === 'string') {
    if (containing === undefined || containing.some((c) => value.includes(c))) visit(value, pointer);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visitChild(value[i], pointer, i, visit, skip, containing);
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value))
      visitChild((value as Record<string, unknown>)[k], pointer, k, visit, skip, containing);
  }
}

function visitChild(
  value: unknown,
  parent: string,
  key: string | number,
  visit: (text: string, pointer: string) => void,
  skip: ((pointer: string) => boolean) | undefined,
  containing: readonly string[] | undefined,
): void {
  if (typeof value === 'string' && skip === undefined) {
    if (containing === undefined || containing.some((c) => value.includes(c))) visit(value, `${parent}${seg(key)}`);
  } else if (typeof value === 'object' && value !== null) {
    forEachString(value, `${parent}${seg(key)}`, visit, skip, containing);
  } else if (typeof value === 'string') {
    forEachString(value, `${parent}${seg(key)}`, visit, skip, containing);
  }
}
