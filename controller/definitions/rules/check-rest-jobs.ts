/**
 * REST connection info that can be checked before a run (R-REST-4, R-REST-6): every
 * key-extraction expression parses; every `<name>` takeover value is defined by
 * `request.takeoverKeys` and used only after the request (monitoring, termination);
 * `jobnetValKeys` names do not collide with the lines the job prints itself.
 */
import { parseExtractKey } from '../../../workflows/lib/extract-key.js';
import { restOutputKeys } from '../../../workflows/lib/rest-messages.js';
import { takeoverTokens } from '../../../workflows/lib/variable-references.js';
import type { Located } from '../definition-index.js';
import type { JobnetDocument } from '../types.generated.js';
import { forEachString } from './check-variables.js';
import { validJobs, seg, validEntries, type Rule, type RuleContext } from './rule-context.js';

export const checkRestJobs: Rule = (context) => {
  for (const [, jobnet] of validEntries(context.index.jobnets)) {
    for (const [name, job] of validJobs(jobnet)) {
      if (job.type !== 'rest') continue;
      const at = `/spec/jobs${seg(name)}`;
      const { request, monitoring, termination } = job;
      const takeover = new Set(Object.keys(request.takeoverKeys ?? {}));

      // Where each key expression is written: a field, or a mapping and the entry's key (the
      // pointer is built only for a key that does not parse).
      const keyExpressions: [string, string | undefined, string][] = [];
      const entriesOf = (field: string, keys: Record<string, string> | undefined): void => {
        for (const k in keys) if (Object.hasOwn(keys, k)) keyExpressions.push([field, k, keys[k]!]);
      };
      entriesOf('/request/takeoverKeys', request.takeoverKeys);
      entriesOf('/request/jobnetValKeys', request.jobnetValKeys);
      entriesOf('/monitoring/jobnetValKeys', monitoring?.jobnetValKeys);
      if (monitoring) {
        keyExpressions.push(['/monitoring/pollingEndKey', undefined, monitoring.pollingEndKey]);
        keyExpressions.push(['/monitoring/checkResultKey', undefined, monitoring.checkResultKey]);
      }
      for (const [field, key, expression] of keyExpressions) {
        const parsed = parsedExtractKey(expression);
        if (!parsed.ok) {
          const pointer = `${at}${field}${key !== undefined ? seg(key) : ''}`;
          context.report('REST-EXTRACT-KEY', `key ${JSON.stringify(expression)}: ${parsed.message}`, jobnet, pointer);
        }
      }

      // Takeover values exist only once the request has answered.
      forEachString(
        request,
        `${at}/request`,
        (text, pointer) => {
          if (typeof request.body === 'string' && pointer.startsWith(`${at}/request/body`)) return; // raw bodies (XML) use < > freely
          for (const token of takeoverTokens(text)) {
            context.report(
              'REST-TAKEOVER-UNDEFINED',
              `<${token}> is used in the request itself; takeover values come from the request's response and can be used only in monitoring and termination`,
              jobnet,
              pointer,
            );
          }
        },
        undefined,
        takeoverCharacters,
      );
      for (const [part, value] of [
        ['monitoring', monitoring],
        ['termination', termination],
      ] as const) {
        if (!value) continue;
        forEachString(
          value,
          `${at}/${part}`,
          (text, pointer) => {
            if (typeof value.body === 'string' && pointer.startsWith(`${at}/${part}/body`)) return;
            if (pointer.startsWith(`${at}/${part}/jobnetValKeys`)) return; // extraction keys of the poll response
            for (const token of takeoverTokens(text)) {
              if (!takeover.has(token)) reportUndefinedTakeover(context, jobnet, pointer, token, takeover);
            }
          },
          undefined,
          takeoverCharacters,
        );
      }

      for (const [part, keys] of [
        ['request', request.jobnetValKeys],
        ['monitoring', monitoring?.jobnetValKeys],
      ] as const) {
        for (const variable of Object.keys(keys ?? {})) {
          if ((restOutputKeys as readonly string[]).includes(variable)) {
            context.report(
              'REST-OUTPUT-NAME',
              `jobnet variable "${variable}" collides with the REST job's own output line of that name`,
              jobnet,
              `${at}/${part}/jobnetValKeys${seg(variable)}`,
              { key: true },
            );
          }
        }
      }
    }
  }
};

/** Only a string with a `<` can hold a takeover token. */
const takeoverCharacters = ['<'];

/**
 * Extract keys parsed once per validation: a repository repeats the same few keys (a service's
 * status path) in thousands of jobs. Bounded, so that a stream of distinct keys cannot grow it.
 */
const extractKeyParses = new Map<string, ReturnType<typeof parseExtractKey>>();

function parsedExtractKey(expression: string): ReturnType<typeof parseExtractKey> {
  let parsed = extractKeyParses.get(expression);
  if (parsed === undefined) {
    parsed = parseExtractKey(expression);
    if (extractKeyParses.size >= 10_000) extractKeyParses.clear();
    extractKeyParses.set(expression, parsed);
  }
  return parsed;
}

function reportUndefinedTakeover(
  context: RuleContext,
  jobnet: Located<JobnetDocument>,
  pointer: string,
  token: string,
  defined: Set<string>,
): void {
  const list =
    defined.size > 0 ? `; defined: ${[...defined].sort().join(', ')}` : '; request.takeoverKeys defines none';
  context.report(
    'REST-TAKEOVER-UNDEFINED',
    `<${token}> is not defined by request.takeoverKeys${list}`,
    jobnet,
    pointer,
  );
}
