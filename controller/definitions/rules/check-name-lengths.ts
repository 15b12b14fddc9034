/**
 * R-REPO-4 and R-JOBT-4 count UTF-8 bytes, not characters: a Japanese jobnet name of 17
 * characters is 51 bytes and too long. The schemas check the characters; this rule checks the
 * byte limits JSON Schema cannot express.
 */
import { nameLimits, utf8ByteLength } from '../../../workflows/lib/name-rules.js';
import type { Located } from '../definition-index.js';
import { isSchemaValidExceptJobs, jobFields, textField, type Rule, type RuleContext } from './rule-context.js';

export const checkNameLengths: Rule = (context) => {
  const { index } = context;
  const all: Located<unknown>[] = [
    ...(index.settings ? [index.settings] : []),
    ...index.calendars.values(),
    ...index.dayPatterns.values(),
    ...index.credentials.values(),
    ...index.environments.values(),
    ...index.projects.values(),
    ...index.jobnets.values(),
    ...index.incidentPolicies.values(),
  ];
  for (const located of all) {
    const metadata = (located.value as { metadata?: { description?: unknown } }).metadata;
    limit(
      context,
      located,
      '/metadata/description',
      metadata?.description,
      nameLimits.descriptionBytes,
      'a description',
    );
  }
  for (const project of index.projects.values()) {
    limit(
      context,
      project,
      '/metadata/name',
      project.value.metadata.name,
      nameLimits.projectNameBytes,
      'a project name',
    );
  }
  for (const jobnet of index.jobnets.values()) {
    const { metadata, spec } = jobnet.value;
    limit(context, jobnet, '/metadata/name', metadata.name, nameLimits.jobnetNameBytes, 'a jobnet name');
    limit(context, jobnet, '/metadata/project', metadata.project, nameLimits.projectNameBytes, 'a project name');
    if (!isSchemaValidExceptJobs(jobnet)) continue;
    spec.start?.events?.names.forEach((name, i) =>
      limit(context, jobnet, `/spec/start/events/names/${i}`, name, nameLimits.eventNameBytes, 'an event name'),
    );
    // Also the jobs with schema errors elsewhere: `limit` reads only strings, and `field` nothing already reported.
    for (const job of jobFields(jobnet)) {
      const at = job.pointer;
      limit(
        context,
        jobnet,
        `${at}/description`,
        job.field('/description'),
        nameLimits.descriptionBytes,
        'a description',
      );
      const type = job.field('/type');
      if (type === 'raiseEvent') {
        limit(
          context,
          jobnet,
          `${at}/event`,
          job.field('/event'),
          nameLimits.raisedEventNameBytes,
          'a raised event name',
        );
        // A parameter with variables is measured after substitution, at run time (exit 246).
        const param = textField(job, '/param');
        if (!param?.includes('@'))
          limit(context, jobnet, `${at}/param`, param, nameLimits.eventParameterBytes, 'a variable parameter');
      } else if (type === 'waitEvent') {
        limit(context, jobnet, `${at}/event`, job.field('/event'), nameLimits.eventNameBytes, 'an event name');
      }
    }
  }
};

function limit(
  context: RuleContext,
  at: Located<unknown>,
  pointer: string,
  value: unknown,
  max: number,
  what: string,
): void {
  if (typeof value !== 'string') return;
  const bytes = utf8ByteLength(value);
  if (bytes > max) {
    context.report(
      'NAME-TOO-LONG',
      `${JSON.stringify(value)} is ${bytes} bytes in UTF-8; ${what} may have at most ${max} bytes`,
      at,
      pointer,
    );
  }
}
