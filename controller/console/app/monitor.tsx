/**
 * The jobnet monitor (R-UI-1): every visible jobnet by project with its state in the WOI colours,
 * next start, last run and result, and a trouble badge; filter by state and search by name;
 * refreshed every 2 s without a reload. Retired jobnets come from the controller's status.
 * A jobnet's name opens its page with the jobnet operations (for operators).
 *
 * Browser code.
 */
import { useState } from 'preact/hooks';
import { getJson, jobnetPath, type JobnetItem } from './api.js';
import type { RoleOf } from './main.js';
import { displayLabels, displayStateOf, type DisplayState } from './states.js';
import { OperationButton, StateBadge, errorText, time, usePoll } from './ui.js';

interface StatusJobnets {
  jobnets?: { project: string; jobnet: string; sync: string }[];
}

/** The last rows, the list answer and the retired jobnets they were made of: unchanged, the same rows (no render). */
let lastRows: { jobnets: JobnetItem[]; retired: string; rows: JobnetItem[] } | undefined;

async function loadMonitor(): Promise<JobnetItem[]> {
  const [jobnets, status] = await Promise.all([
    getJson<JobnetItem[]>('/api/v1/jobnets'),
    getJson<StatusJobnets>('/api/v1/status').catch((): StatusJobnets => ({})),
  ]);
  const listed = new Set(jobnets.map((item) => `${item.project}/${item.jobnet}`));
  const projects = new Set(jobnets.map((item) => item.project));
  const retired = (status.jobnets ?? [])
    .filter(
      (entry) =>
        entry.sync === 'Retired' && projects.has(entry.project) && !listed.has(`${entry.project}/${entry.jobnet}`),
    )
    .map((entry): JobnetItem => ({ project: entry.project, jobnet: entry.jobnet, status: 'retired' }));
  const retiredText = JSON.stringify(retired);
  if (lastRows?.jobnets === jobnets && lastRows.retired === retiredText) return lastRows.rows;
  lastRows = { jobnets, retired: retiredText, rows: [...jobnets, ...retired] };
  return lastRows.rows;
}

export function Monitor({ roleOf }: { roleOf: RoleOf }) {
  const { data, error } = usePoll(loadMonitor, 'monitor');
  const [query, setQuery] = useState('');
  const [state, setState] = useState<DisplayState | ''>('');
  const items = (data ?? []).filter(
    (item) =>
      (query === '' ||
        `${item.project}/${item.jobnet} ${item.title ?? ''}`.toLowerCase().includes(query.toLowerCase())) &&
      (state === '' || displayStateOf(item.status, item.result) === state),
  );
  const projects = [...new Set(items.map((item) => item.project))];
  return (
    <section aria-labelledby="monitor-title">
      <h1 id="monitor-title">Jobnet monitor</h1>
      <div class="filters">
        <label>
          Search <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        </label>
        <label>
          State{' '}
          <select value={state} onChange={(event) => setState(event.currentTarget.value as DisplayState | '')}>
            <option value="">all</option>
            {Object.entries(displayLabels).map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
        <span class="live" aria-live="polite">
          {error !== undefined
            ? `update failed: ${error}`
            : data === undefined
              ? 'loading…'
              : `${items.length} jobnets · live`}
        </span>
      </div>
      {projects.map((project) => (
        <table class="grid" data-project={project}>
          <caption>
            Project {project} <span class="role">{roleOf(project) ?? ''}</span>
          </caption>
          <thead>
            <tr>
              <th scope="col">Jobnet</th>
              <th scope="col">State</th>
              <th scope="col">Next start</th>
              <th scope="col">Last run</th>
              <th scope="col">Result</th>
              <th scope="col">Troubles</th>
            </tr>
          </thead>
          <tbody>
            {items
              .filter((item) => item.project === project)
              .map((item) => (
                <tr data-jobnet={`${item.project}/${item.jobnet}`}>
                  <th scope="row">
                    <a href={`#/jobnet/${encodeURIComponent(item.project)}/${encodeURIComponent(item.jobnet)}`}>
                      {item.jobnet}
                    </a>
                    {item.title !== undefined ? <span class="title">{item.title}</span> : null}
                  </th>
                  <td>
                    {item.error !== undefined ? (
                      <span class="error">{item.error}</span>
                    ) : (
                      <StateBadge status={item.status} result={item.result} />
                    )}
                  </td>
                  <td>{item.nextStart ? time(item.nextStart.instant) : '–'}</td>
                  <td>
                    {(item.openRun ?? item.lastRun) ? (
                      <a href={`#/run/${encodeURIComponent((item.openRun ?? item.lastRun)?.runId ?? '')}`}>
                        {time((item.openRun ?? item.lastRun)?.startedAt)}
                      </a>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>{item.lastRun ? <StateBadge status={item.lastRun.status} /> : '–'}</td>
                  <td>
                    {(item.troubleCount ?? 0) > 0 ? (
                      <a class="badge trouble" href="#/status" aria-label={`${item.troubleCount} troubles`}>
                        {item.troubleCount}
                      </a>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}

const jobnetOperations: [string, string][] = [
  ['start', 'Start a run now'],
  ['hold', 'Hold the jobnet: nothing new starts until it is released'],
  ['release', 'Release the held jobnet'],
  ['disable', 'Disable the jobnet: it starts no more runs'],
  ['enable', 'Enable the jobnet again'],
  ['confirm', 'Confirm: allow the next start after an abend'],
  ['restart', 'Restart the abended run'],
  ['force-terminate', 'Force-terminate the open run'],
  ['release-carry-over', 'Release the carried-over run'],
  ['cancel-end', 'Cancel the end of the run'],
];

interface JobnetView {
  project: string;
  name: string;
  title?: string;
  status: string;
  revision: string;
  businessDate?: string;
  trigger?: string;
  nextStarts?: { instant: string; time: string; businessDate: string }[];
  awaitingConfirmation?: boolean;
  state?: { currentRun?: { runId: string } | null; lastRun?: { runId: string; status: string } | null };
}

/** One jobnet: its state and next starts, its runs, its year, and the jobnet operations for operators. */
export function JobnetPage({ project, jobnet, roleOf }: { project: string; jobnet: string; roleOf: RoleOf }) {
  const { data, error, reload } = usePoll(
    () => getJson<JobnetView>(jobnetPath(project, jobnet)),
    `${project}/${jobnet}`,
  );
  const [message, setMessage] = useState<string | undefined>(undefined);
  const role = roleOf(project);
  const mayOperate = role === 'operator' || role === 'admin';
  if (data === undefined) return <p class={error ? 'error' : 'loading'}>{error ?? 'loading…'}</p>;
  const open = data.state?.currentRun?.runId;
  const last = data.state?.lastRun?.runId;
  return (
    <section aria-labelledby="jobnet-title">
      <h1 id="jobnet-title">
        {project}/{data.name} {data.title !== undefined ? <span class="title">{data.title}</span> : null}
      </h1>
      <p>
        <StateBadge status={data.status} /> business date {data.businessDate ?? '–'} · revision{' '}
        <code>{data.revision.slice(0, 12)}</code>
        {data.awaitingConfirmation ? ' · awaiting confirmation' : ''}
      </p>
      <p class="links">
        {open !== undefined ? <a href={`#/run/${encodeURIComponent(open)}`}>open run</a> : null}
        {last !== undefined && last !== open ? <a href={`#/run/${encodeURIComponent(last)}`}>last run</a> : null}
        <a href={`#/history/${encodeURIComponent(project)}/${encodeURIComponent(jobnet)}`}>history</a>
        <a href={`#/year/${encodeURIComponent(project)}/${encodeURIComponent(jobnet)}`}>start days of the year</a>
      </p>
      <h2>Next starts</h2>
      <ul>
        {(data.nextStarts ?? []).slice(0, 5).map((start) => (
          <li>
            {time(start.instant)} (business date {start.businessDate})
          </li>
        ))}
        {(data.nextStarts ?? []).length === 0 ? <li>none planned</li> : null}
      </ul>
      {mayOperate ? (
        <>
          <h2>Operations</h2>
          <div class="operations" role="group" aria-label="Jobnet operations">
            {jobnetOperations.map(([operation, what]) => (
              <OperationButton
                label={operation}
                path={`${jobnetPath(project, jobnet)}/operations/${operation}`}
                confirmText={`${what}: ${project}/${jobnet}?`}
                resetKey={`${data.status}|${open ?? ''}`}
                onDone={(text) => {
                  setMessage(text);
                  reload();
                }}
              />
            ))}
          </div>
        </>
      ) : null}
      {message !== undefined ? (
        <p class="message" role="status">
          {message}
        </p>
      ) : null}
      {error !== undefined ? <p class="error">{errorText(error)}</p> : null}
    </section>
  );
}
