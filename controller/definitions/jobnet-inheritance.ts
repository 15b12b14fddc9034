/**
 * What a jobnet takes from the definitions around it: the name of its calendar (jobnet, else
 * project, else Settings `defaultCalendar`, else `SYSTEM_CALENDAR`; docs/specification.md §3.1, §3.6, R-CAL-1) and
 * its job-definition variables after precedence, Settings < Environment < Project < Jobnet
 * (R-VAR-2).
 *
 * This is the one place those two choices are made: the validator's rules and the compile step
 * both ask here, so what `jobnet validate` checks is what a run executes.
 *
 * Pure: reads the definition index only; no I/O, and it does not report problems (the
 * validator's rules do, with locations).
 */
import { systemCalendarName, type DefinitionIndex } from './definition-index.js';
import { isSchemaValid } from './rules/rule-context.js';
import type { EnvironmentDocument, JobnetDocument } from './types.generated.js';

/**
 * Name of the calendar a jobnet runs on: its own `calendar`, else its project's, else the
 * Settings `defaultCalendar` (read only from schema-valid Settings), else `SYSTEM_CALENDAR`
 * (docs/specification.md §3.1, §3.6, R-CAL-1). Does not check that the calendar exists. Never throws.
 */
export function jobnetCalendarName(index: DefinitionIndex, jobnet: JobnetDocument): string {
  const settings = index.settings && isSchemaValid(index.settings) ? index.settings.value.spec : undefined;
  return (
    jobnet.spec.calendar ??
    index.projects.get(jobnet.metadata.project)?.value.spec?.calendar ??
    settings?.defaultCalendar ??
    systemCalendarName
  );
}

/**
 * Job-definition variables of a jobnet, R-VAR-2: Settings `variables`, overridden by the selected
 * environment's, overridden by the project's, overridden by the jobnet's own. Without an
 * environment its layer is simply absent. Values are strings (the schema requires it; anything
 * else is stringified rather than carried into a run); keys are sorted, so equal inputs give
 * equal objects. Never throws.
 */
export function definitionVariables(
  index: DefinitionIndex,
  jobnet: JobnetDocument,
  environment?: EnvironmentDocument,
): Record<string, string> {
  const layers = [
    index.settings?.value.spec?.variables,
    environment?.spec?.variables,
    index.projects.get(jobnet.metadata.project)?.value.spec?.variables,
    jobnet.spec.variables,
  ];
  const merged = new Map<string, string>();
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) merged.set(name, String(value));
  }
  return Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
