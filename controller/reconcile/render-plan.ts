/**
 * The plan of a pull request as Markdown (R-GIT-5): a summary line, then one section per jobnet
 * that is added, changed or removed, with its field differences, its next starts before and after
 * a schedule or calendar change, the start days a calendar or day-rule change moves, and the
 * warnings. GitHub-flavoured (tables); it starts with an HTML comment marker so a CI job can find
 * and replace its own earlier comment.
 *
 * Pure: renders a `PlanReport` (plan-report.ts) to a string; deterministic for equal reports.
 * Every value from the definitions or the command line goes through `code` or `inline`, which
 * make control characters visible (`printable`): a pull request's YAML cannot break the Markdown
 * into lines of its own, nor drive a terminal that prints the plan.
 */
import { printable } from '../cli/terminal-text.js';
import type { FieldChange } from './definition-diff.js';
import { revisionText } from './plan.js';
import {
  weekdayDate,
  type JobnetReport,
  type PlanReport,
  type PlanSide,
  type StartsPreview,
  type StartView,
} from './plan-report.js';

/** First line of every plan comment, for finding (and editing) the previous one. */
export const planCommentMarker = '<!-- jobnet-plan -->';

const actionTitles: Record<JobnetReport['action'], string> = {
  create: 'added',
  update: 'changed',
  noop: 'unchanged',
  retire: 'removed — retired',
  delete: 'removed — deleted (prune)',
};

/** The Markdown text of a plan report, ending with a newline. */
export function renderPlanMarkdown(report: PlanReport): string {
  const lines: string[] = [planCommentMarker, '## Jobnet plan', ''];
  lines.push(
    `${sideText(report.base)} → ${sideText(report.head)} · next starts counted from ${report.now.replace(/\.000Z$/, 'Z')}`,
    '',
  );
  lines.push(summaryLine(report), '');
  for (const note of report.notes) lines.push(`> **Note:** ${inline(note)}`, '');
  if (report.jobnets.length === 0) lines.push('Merging changes no jobnet.', '');
  for (const jobnet of report.jobnets) lines.push(...jobnetSection(jobnet));
  while (lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n') + '\n';
}

/** `**1 added, 2 changed, 1 removed, 3 unchanged** · 1 warning`. */
export function summaryLine(report: PlanReport): string {
  const { added, changed, removed, unchanged, warnings } = report.summary;
  const counts = `**${added} added, ${changed} changed, ${removed} removed, ${unchanged} unchanged**`;
  return warnings === 0 ? counts : `${counts} · ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
}

function sideText(side: PlanSide): string {
  return side.revision === undefined
    ? code(side.label)
    : `${code(side.label)} (${inline(revisionText(side.revision))})`;
}

function jobnetSection(jobnet: JobnetReport): string[] {
  const lines = [`### ${code(jobnet.id)} — ${actionTitles[jobnet.action]}`, ''];
  for (const warning of jobnet.warnings) lines.push(`> **Warning:** ${inline(warning)}`, '');

  if (jobnet.action === 'retire')
    lines.push('No new runs start; a run that is open finishes. The jobnet stays in the live system (retired).', '');
  if (jobnet.action === 'delete') lines.push('Deleted from the live system (`controller.prune: true`).', '');
  if (jobnet.reason === 'revive') lines.push('It was retired; merging starts scheduling it again.', '');
  if (jobnet.outline !== undefined) {
    const { outline } = jobnet;
    if (outline.title !== undefined) lines.push(`- title: ${inline(outline.title)}`);
    lines.push(`- jobs: ${outline.jobs.map((job) => `${code(job.name)} (${inline(job.type)})`).join(', ')}`);
    lines.push(`- start: ${outline.trigger === 'manual' ? 'manual only' : code(outline.start)}`);
    lines.push(`- calendar: ${inline(outline.calendar)}`);
    if (outline.children.length > 0) lines.push(`- child jobnets: ${outline.children.map(code).join(', ')}`);
    lines.push('');
  }
  // A revived jobnet may come back unchanged: then there is no table to show.
  if (jobnet.action === 'update' && !(jobnet.reason === 'revive' && jobnet.changes.length === 0))
    lines.push(...changeTable(jobnet.changes));
  lines.push(...startsTable(jobnet.startsBefore, jobnet.startsAfter));
  if (jobnet.movedStartDays !== undefined) {
    const { from, to, added, removed } = jobnet.movedStartDays;
    if (added.length === 0 && removed.length === 0) {
      lines.push(`No start day moves between ${from} and ${to}.`, '');
    } else {
      lines.push(`Start days that move between ${from} and ${to}:`, '');
      for (const day of removed) lines.push(`- removed ${weekdayDate(day)}`);
      for (const day of added) lines.push(`- added ${weekdayDate(day)}`);
      lines.push('');
    }
  }
  return lines;
}

function changeTable(changes: readonly FieldChange[]): string[] {
  if (changes.length === 0)
    return ['The definition differs from the live one, which could not be compared field by field.', ''];
  const lines = ['| Field | Before | After |', '| --- | --- | --- |'];
  for (const change of changes) {
    const before =
      change.before === undefined
        ? '—'
        : change.items === true
          ? itemsCell('removed', change.before)
          : code(change.before);
    const after =
      change.after === undefined ? '—' : change.items === true ? itemsCell('added', change.after) : code(change.after);
    lines.push(`| ${code(change.path)} | ${before} | ${after} |`);
  }
  lines.push('');
  return lines;
}

function itemsCell(verb: string, items: string): string {
  return items === '[]' ? '—' : `${verb} ${code(items)}`;
}

function startsTable(before: StartsPreview | undefined, after: StartsPreview | undefined): string[] {
  if (before === undefined && after === undefined) return [];
  const count = Math.max(before?.starts.length ?? 0, after?.starts.length ?? 0);
  const heading =
    before !== undefined && after !== undefined
      ? 'Next starts before and after (a start that moves is in bold):'
      : 'Next starts:';
  const lines = [heading, ''];
  const sides = [before, after].filter((side): side is StartsPreview => side !== undefined);
  const titles = [before === undefined ? undefined : 'Before', after === undefined ? undefined : 'After'].filter(
    (title): title is string => title !== undefined,
  );
  lines.push(`| # | ${sides.map((side, i) => `${titles[i] as string} (${inline(side.timezone)})`).join(' | ')} |`);
  lines.push(`| --- | ${sides.map(() => '---').join(' | ')} |`);
  if (count === 0) {
    lines.push(`| — | ${sides.map(noStartsText).join(' | ')} |`);
  } else {
    for (let i = 0; i < count; i++) {
      const cells = sides.map((side) => startCell(side, side.starts[i]));
      // A start that moves is shown in bold on the side after the change.
      if (cells.length === 2 && cells[0] !== cells[1] && cells[1] !== '') cells[1] = `**${cells[1]}**`;
      lines.push(`| ${i + 1} | ${cells.join(' | ')} |`);
    }
  }
  const disabled = titles.filter((_title, i) => sides[i]?.enabled === false);
  if (disabled.length > 0)
    lines.push('', `${disabled.join(' and ')}: \`enabled: false\`, so these starts are skipped.`);
  lines.push('');
  return lines;
}

function noStartsText(side: StartsPreview): string {
  return side.trigger === 'manual' ? 'manual starts only' : 'no start planned';
}

function startCell(side: StartsPreview, start: StartView | undefined): string {
  if (start === undefined) return side.starts.length === 0 ? noStartsText(side) : '';
  const date = start.localTime.slice(0, 10);
  const business = date === start.businessDate ? '' : ` (business date ${start.businessDate})`;
  return inline(
    start.kind === 'events' ? `events from ${start.localTime}${business}` : `${start.localTime}${business}`,
  );
}

/** A code span that survives a table cell: control characters visible, pipes escaped, a backtick inside gets a longer fence. */
function code(text: string): string {
  const escaped = printable(text).replace(/\|/g, '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

/** Free text in a paragraph or a list: control characters visible, no raw HTML, no table breaks. */
function inline(text: string): string {
  return printable(text).replace(/[<>|]/g, (c) => `\\${c}`);
}
