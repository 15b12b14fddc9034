/**
 * Start-day rules that parse but select nothing or never end (R-DAYS-1, R-DAYS-2):
 * `businessDays: 0` (counting starts at 1 from the start of the month and at -1 from its end),
 * and day patterns whose `except` chains lead back to themselves.
 */
import type { Located } from '../definition-index.js';
import type { DayRules } from '../types.generated.js';
import { validEntries, type Rule, type RuleContext } from './rule-context.js';

export const checkStartDays: Rule = (context) => {
  const { index } = context;
  for (const [, pattern] of validEntries(index.dayPatterns)) checkRules(context, pattern, '/spec', pattern.value.spec);
  for (const [, jobnet] of validEntries(index.jobnets)) {
    if (jobnet.value.spec.days) checkRules(context, jobnet, '/spec/days', jobnet.value.spec.days);
  }

  // except.dayPattern chains: report each cycle once, at its alphabetically first member.
  const next = (name: string) => index.dayPatterns.get(name)?.value.spec?.except?.dayPattern;
  const reported = new Set<string>();
  for (const start of [...index.dayPatterns.keys()].sort()) {
    const chain = [start];
    for (let current = next(start); current !== undefined && index.dayPatterns.has(current); current = next(current)) {
      if (current === start) {
        const id = [...chain].sort().join('|');
        if (!reported.has(id) && [...chain].sort()[0] === start) {
          reported.add(id);
          context.report('SCHEDULE-INVALID', `day patterns exclude each other in a cycle: ${[...chain, start].join(' → ')}`, index.dayPatterns.get(start)!, '/spec/except/dayPattern');
        }
        break;
      }
      if (chain.includes(current)) break; // a cycle not through `start`: reported from its own member
      chain.push(current);
    }
  }
};

function checkRules(context: RuleContext, at: Located<unknown>, pointer: string, rules: DayRules): void {
  (rules.businessDays ?? []).forEach((n, i) => {
    if (n === 0) {
      context.report('SCHEDULE-INVALID', 'businessDays: 0 selects no day; count from 1 (first operating day of the month) or from -1 (last)', at, `${pointer}/businessDays/${i}`);
    }
  });
}
