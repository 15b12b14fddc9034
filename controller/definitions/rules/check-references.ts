/**
 * References resolve (R-REPO-3, R-CAL-1, R-DAYS-2, R-CRED-1, R-JN-2, R-EVT-1, R-INC-1):
 * a jobnet's project, calendars, day patterns, credentials (of a type usable where they are
 * named), child jobnets and event scopes must all exist in the same revision. The references of a
 * job with schema errors elsewhere are checked too, where they are well formed and not already
 * reported (rule-context.ts `jobFields`).
 */
import { jobnetKey, systemCalendarName, type Located } from '../definition-index.js';
import type { JobnetDocument } from '../types.generated.js';
import {
  isRecord,
  isSchemaValidExceptJobs,
  isSchemaValid,
  jobFields,
  textField,
  validEntries,
  type Rule,
  type RuleContext,
} from './rule-context.js';

/** Credential types a REST job can authenticate with (WOI 4.2: scs is for SAP jobs only). */
const restCredentialTypes = ['basic', 'azuread', 'bearer', 'awssigv4', 'others'];

export const checkReferences: Rule = (context) => {
  const { index } = context;
  const settings = index.settings && isSchemaValid(index.settings) ? index.settings : undefined;

  const calendarExists = (name: string) => name === systemCalendarName || index.calendars.has(name);
  const requireCalendar = (name: string | undefined, at: Located<unknown>, pointer: string) => {
    if (name !== undefined && !calendarExists(name)) {
      context.report(
        'REF-CALENDAR',
        `calendar "${name}" is not defined${known(index.calendars.keys(), [systemCalendarName])}`,
        at,
        pointer,
      );
    }
  };
  const requireDayPattern = (name: string | undefined, at: Located<unknown>, pointer: string) => {
    if (name !== undefined && !index.dayPatterns.has(name)) {
      context.report(
        'REF-DAYPATTERN',
        `day pattern "${name}" is not defined${known(index.dayPatterns.keys())}`,
        at,
        pointer,
      );
    }
  };
  const requireCredential = (
    name: string | undefined,
    types: string[] | undefined,
    at: Located<unknown>,
    pointer: string,
  ) => {
    if (name === undefined) return;
    const credential = index.credentials.get(name);
    if (!credential) {
      context.report(
        'REF-CREDENTIAL',
        `credential "${name}" is not defined${known(index.credentials.keys())}`,
        at,
        pointer,
      );
      return;
    }
    const spec: unknown = credential.value.spec;
    const type = isRecord(spec) && typeof spec.type === 'string' ? spec.type : undefined;
    if (types && type && !types.includes(type)) {
      context.report(
        'REF-CREDENTIAL',
        `credential "${name}" has type ${type}; here it must be ${types.join(' or ')}`,
        at,
        pointer,
      );
    }
  };

  if (settings) {
    requireCalendar(settings.value.spec?.defaultCalendar, settings, '/spec/defaultCalendar');
    const sinks = settings.value.spec?.logSinks;
    requireCredential(sinks?.azureMonitor?.credential, ['azuread'], settings, '/spec/logSinks/azureMonitor/credential');
    sinks?.webhooks?.forEach((hook, i) =>
      requireCredential(
        hook.credential,
        ['basic', 'bearer', 'others'],
        settings,
        `/spec/logSinks/webhooks/${i}/credential`,
      ),
    );
  }

  for (const [, project] of validEntries(index.projects)) {
    requireCalendar(project.value.spec?.calendar, project, '/spec/calendar');
  }

  for (const [, pattern] of validEntries(index.dayPatterns)) {
    requireDayPattern(pattern.value.spec.except?.dayPattern, pattern, '/spec/except/dayPattern');
  }

  for (const [, policy] of validEntries(index.incidentPolicies)) {
    requireCredential(policy.value.spec.serviceNow?.credential, ['basic'], policy, '/spec/serviceNow/credential');
    policy.value.spec.notify?.webhooks?.forEach((hook, i) =>
      requireCredential(
        hook.credential,
        ['basic', 'bearer', 'others'],
        policy,
        `/spec/notify/webhooks/${i}/credential`,
      ),
    );
    requireCredential(
      policy.value.spec.notify?.email?.smtp?.credential,
      ['basic'],
      policy,
      '/spec/notify/email/smtp/credential',
    );
  }

  for (const [, jobnet] of index.jobnets) {
    const project = jobnet.value.metadata.project;
    if (!index.projects.has(project)) {
      context.report(
        'REF-PROJECT',
        `project "${project}" is not defined${known(index.projects.keys())}`,
        jobnet,
        '/metadata/project',
      );
    }
    if (!isSchemaValidExceptJobs(jobnet)) continue;
    checkJobnetReferences(context, jobnet, requireCalendar, requireDayPattern, (name, at, pointer) =>
      requireCredential(name, restCredentialTypes, at, pointer),
    );
  }
};

function checkJobnetReferences(
  context: RuleContext,
  jobnet: Located<JobnetDocument>,
  requireCalendar: (name: string | undefined, at: Located<unknown>, pointer: string) => void,
  requireDayPattern: (name: string | undefined, at: Located<unknown>, pointer: string) => void,
  requireRestCredential: (name: string | undefined, at: Located<unknown>, pointer: string) => void,
): void {
  const { index } = context;
  const spec = jobnet.value.spec;
  const ownProject = jobnet.value.metadata.project;
  requireCalendar(spec.calendar, jobnet, '/spec/calendar');
  requireDayPattern(spec.daysFrom, jobnet, '/spec/daysFrom');
  requireDayPattern(spec.days?.except?.dayPattern, jobnet, '/spec/days/except/dayPattern');

  for (const job of jobFields(jobnet)) {
    const at = job.pointer;
    switch (job.field('/type')) {
      case 'rest':
        requireRestCredential(textField(job, '/request/credential'), jobnet, `${at}/request/credential`);
        break;
      case 'jobnet': {
        const child = textField(job, '/jobnet');
        if (child !== undefined && !index.jobnets.has(jobnetKey(ownProject, child))) {
          context.report(
            'REF-JOBNET',
            `child jobnet "${child}" is not defined in project "${ownProject}" (a child jobnet must be in the same project)`,
            jobnet,
            `${at}/jobnet`,
          );
        }
        break;
      }
      case 'raiseEvent': {
        // A scope whose project cannot be read says nothing about its jobnet either.
        const scopeProject = job.value('/project');
        const named = textField(job, '/project');
        if (scopeProject !== undefined && named === undefined) break;
        const project = named ?? ownProject;
        const scopeJobnet = textField(job, '/jobnet');
        if (named !== undefined && !index.projects.has(named)) {
          context.report('REF-PROJECT', `event scope: project "${named}" is not defined`, jobnet, `${at}/project`);
        } else if (scopeJobnet !== undefined && !index.jobnets.has(jobnetKey(project, scopeJobnet))) {
          context.report(
            'REF-JOBNET',
            `event scope: jobnet "${scopeJobnet}" is not defined in project "${project}"`,
            jobnet,
            `${at}/jobnet`,
          );
        }
        break;
      }
      default:
        break;
    }
  }
}

function known(names: Iterable<string>, extra: string[] = []): string {
  const all = [...extra, ...names].sort();
  if (all.length === 0) return '';
  const shown = all.slice(0, 10).join(', ');
  return `; defined: ${shown}${all.length > 10 ? `, … (${all.length} in all)` : ''}`;
}
