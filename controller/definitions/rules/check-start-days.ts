/**
 * Start-day rules that parse but select nothing or never end (R-DAYS-1, R-DAYS-2):
 * `businessDays: 0` (counting starts at 1 from the start of the month and at -1 from its end),
 * and day patterns whose `except` chains lead back to themselves.
 */
import type { Located } from '../definition-index.js';
import type { DayRules } from '../types.generated.js';
import { chainText, maxChainShown, validEntries, type Rule, type RuleContext } from './rule-context.js';

export const checkStartDays: Rule = (context) => {
  const { index } = context;
  for (const [, pattern] of validEntries(index.dayPatterns)) checkRules(context, pattern, '/spec', pattern.value.spec);
  for (const [, jobnet] of validEntries(index.jobnets)) {
    if (jobnet.value.spec.days) checkRules(context, jobnet, '/spec/days', jobnet.value.spec.days);
  }

  // except.dayPattern chains: report each cycle once, at its alphabetically first member. Each
  // pattern excludes at most one other, so one walk per pattern, over patterns no earlier walk
  // met, finds every cycle in linear time (a chain may be thousands of patterns long).
  const next = (name: string) => {
    const excluded = index.dayPatterns.get(name)?.value.spec?.except?.dayPattern;
    return excluded !== undefined && index.dayPatterns.has(excluded) ? excluded : undefined;
  };
  /** The walk that first met each pattern. */
  const walkOf = new Map<string, number>();
  [...index.dayPatterns.keys()].sort().forEach((start, walk) => {
    const path: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !walkOf.has(current)) {
      walkOf.set(current, walk);
      path.push(current);
      current = next(current);
    }
    // Back at a pattern of this very walk: the path from there on is a cycle.
    if (current === undefined || walkOf.get(current) !== walk) return;
    const cycle = path.slice(path.indexOf(current));
    const first = cycle.reduce((a, b) => (b < a ? b : a));
    const from = cycle.indexOf(first);
    const ordered = [...cycle.slice(from), ...cycle.slice(0, from)];
    const counted = ordered.length > maxChainShown ? ` of ${ordered.length} day patterns` : '';
    context.report(
      'SCHEDULE-INVALID',
      `day patterns exclude each other in a cycle${counted}: ${chainText(ordered)} → ${first}`,
      index.dayPatterns.get(first)!,
      '/spec/except/dayPattern',
    );
  });
};

function checkRules(context: RuleContext, at: Located<unknown>, pointer: string, rules: DayRules): void {
  (rules.businessDays ?? []).forEach((n, i) => {
    if (n === 0) {
      context.report(
        'SCHEDULE-INVALID',
        'businessDays: 0 selects no day; count from 1 (first operating day of the month) or from -1 (last)',
        at,
        `${pointer}/businessDays/${i}`,
      );
    }
  });
}
