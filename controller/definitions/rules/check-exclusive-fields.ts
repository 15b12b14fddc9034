/**
 * "Exactly one of" rules, checked here rather than in the schema so the message names the
 * fields (R-CRED-1 resource/scope, R-SCH-1 start kinds, R-DAYS days/daysFrom, R-JOBT-6
 * checkVariable forms, deadlines.end forms).
 */
import type { Located } from '../definition-index.js';
import { validJobs, seg, validEntries, type Rule, type RuleContext } from './rule-context.js';

export const checkExclusiveFields: Rule = (context) => {
  const { index } = context;
  for (const [, credential] of validEntries(index.credentials)) {
    const spec = credential.value.spec;
    if (spec.type === 'azuread') {
      exactlyOne(
        context,
        credential,
        '/spec',
        spec,
        ['resource', 'scope'],
        'an azuread credential needs the token audience: `resource` for a v1 endpoint or `scope` for a v2 endpoint',
      );
    }
  }
  for (const [, jobnet] of validEntries(index.jobnets)) {
    const spec = jobnet.value.spec;
    atMostOne(
      context,
      jobnet,
      '/spec',
      spec,
      ['days', 'daysFrom'],
      'start days come either from `days` rules or from a DayPattern named in `daysFrom`',
    );
    if (spec.start)
      exactlyOne(
        context,
        jobnet,
        '/spec/start',
        spec.start,
        ['at', 'every', 'events'],
        'a start is by time (`at`), by interval (`every`) or by events (`events`); omit `start` for manual starts',
      );
    if (spec.deadlines?.end)
      exactlyOne(
        context,
        jobnet,
        '/spec/deadlines/end',
        spec.deadlines.end,
        ['after', 'at'],
        'an end deadline is relative (`after`) or absolute (`at`)',
      );
    for (const [name, job] of validJobs(jobnet)) {
      if (job.type === 'checkVariable') {
        atMostOne(
          context,
          jobnet,
          `/spec/jobs${seg(name)}`,
          job,
          ['number', 'string'],
          'checkVariable compares as a number or as a string (or, with neither, checks that the variable exists)',
        );
      }
    }
  }
};

function present(value: object, fields: readonly string[]): string[] {
  return fields.filter((f) => (value as Record<string, unknown>)[f] !== undefined);
}

function atMostOne(
  context: RuleContext,
  at: Located<unknown>,
  pointer: string,
  value: object,
  fields: readonly string[],
  why: string,
): void {
  const set = present(value, fields);
  for (const extra of set.slice(1)) {
    context.report('EXCLUSIVE-FIELDS', `${listOf(fields)} exclude each other: ${why}`, at, `${pointer}${seg(extra)}`, {
      key: true,
    });
  }
}

function exactlyOne(
  context: RuleContext,
  at: Located<unknown>,
  pointer: string,
  value: object,
  fields: readonly string[],
  why: string,
): void {
  if (present(value, fields).length === 0) {
    context.report(
      'EXCLUSIVE-FIELDS',
      `one of ${fields.map((f) => `\`${f}\``).join(', ')} is required: ${why}`,
      at,
      pointer,
    );
  } else {
    atMostOne(context, at, pointer, value, fields, why);
  }
}

/** "`a` and `b`", "`a`, `b` and `c`". */
function listOf(fields: readonly string[]): string {
  const quoted = fields.map((f) => `\`${f}\``);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]!}` : (quoted[0] ?? '');
}
