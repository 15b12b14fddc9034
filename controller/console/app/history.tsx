/**
 * Run history (R-UI-1, R-OPS-5): the runs list with the filters of `jobnet history` (from, to,
 * project, jobnet, status, trigger, limit), the next page, CSV download (UTF-8 or Shift_JIS), and
 * retry and cancel of a run for operators; a retry links to the run it retries.
 *
 * Browser code.
 */
import { useState } from 'preact/hooks';
import { download, getJson, runPath, type RunEntry } from './api.js';
import type { RoleOf } from './main.js';
import { OperationButton, StateBadge, errorText, time, usePoll } from './ui.js';

interface Filters {
  from: string;
  to: string;
  project: string;
  jobnet: string;
  status: string;
  trigger: string;
  limit: string;
}

function queryOf(filters: Filters, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  query.set('tz', Intl.DateTimeFormat().resolvedOptions().timeZone);
  for (const [key, value] of Object.entries(filters) as [string, string][]) if (value !== '') query.set(key, value);
  for (const [key, value] of Object.entries(extra)) query.set(key, value);
  return query.toString();
}

export function HistoryView({ roleOf, initialJobnet }: { roleOf: RoleOf; initialJobnet: string | undefined }) {
  const [project = '', jobnet = ''] = (initialJobnet ?? '').split('/');
  const [draft, setDraft] = useState<Filters>({
    from: '',
    to: '',
    project,
    jobnet,
    status: '',
    trigger: '',
    limit: '50',
  });
  const [filters, setFilters] = useState<Filters>(draft);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const key = queryOf(filters, cursor !== undefined ? { cursor } : {});
  const { data, error, reload } = usePoll(
    () => getJson<{ runs: RunEntry[]; nextCursor?: string }>(`/api/v1/runs?${key}`),
    key,
    5000,
  );
  const field = (name: keyof Filters, label: string, options?: string[]) => (
    <label>
      {label}{' '}
      {options !== undefined ? (
        <select value={draft[name]} onChange={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}>
          <option value="">any</option>
          {options.map((option) => (
            <option value={option}>{option}</option>
          ))}
        </select>
      ) : (
        <input
          value={draft[name]}
          size={name === 'limit' ? 4 : 14}
          onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
        />
      )}
    </label>
  );
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setCursor(undefined);
          setFilters(draft);
        }}
      >
        {field('from', 'From')}
        {field('to', 'To')}
        {field('project', 'Project')}
        {field('jobnet', 'Jobnet')}
        {field('status', 'Status', ['running', 'warning', 'normal', 'pseudoNormal', 'abended', 'forced'])}
        {field('trigger', 'Trigger', ['manual', 'schedule', 'event', 'retry'])}
        {field('limit', 'Limit')}
        <button type="submit">Filter</button>
        <button
          type="button"
          onClick={() =>
            void download(`/api/v1/runs?${queryOf(filters, { format: 'csv' })}`, 'runs.csv').catch((failure: unknown) =>
              setMessage(errorText(failure)),
            )
          }
        >
          CSV
        </button>
        <button
          type="button"
          onClick={() =>
            void download(
              `/api/v1/runs?${queryOf(filters, { format: 'csv', encoding: 'sjis' })}`,
              'runs-sjis.csv',
            ).catch((failure: unknown) => setMessage(errorText(failure)))
          }
        >
          CSV (Shift_JIS)
        </button>
      </form>
      {error !== undefined ? <p class="error">{error}</p> : null}
      {message !== undefined ? (
        <p class="message" role="status">
          {message}
        </p>
      ) : null}
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Business date</th>
            <th scope="col">Trigger</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
            <th scope="col">Retry of</th>
            <th scope="col">Operations</th>
          </tr>
        </thead>
        <tbody>
          {(data?.runs ?? []).map((run) => {
            const role = roleOf(run.project);
            return (
              <tr data-run={run.id}>
                <th scope="row">
                  <a href={`#/run/${encodeURIComponent(run.id)}`}>
                    {run.project}/{run.jobnet}
                  </a>
                </th>
                <td>{run.businessDate}</td>
                <td>{run.trigger}</td>
                <td>
                  <StateBadge status={run.status} />
                </td>
                <td>{time(run.started)}</td>
                <td>{time(run.finished)}</td>
                <td>
                  {run.retryOf !== undefined ? <a href={`#/run/${encodeURIComponent(run.retryOf)}`}>original</a> : ''}
                </td>
                <td>
                  {role === 'operator' || role === 'admin' ? (
                    <>
                      <OperationButton
                        label="retry"
                        path={`${runPath(run.id)}/retry`}
                        confirmText="Start a retry of this run?"
                        resetKey={run.status}
                        onDone={(text) => {
                          setMessage(text);
                          reload();
                        }}
                      />
                      <OperationButton
                        label="cancel"
                        path={`${runPath(run.id)}/cancel`}
                        confirmText="Cancel every running, waiting and held job of this run?"
                        resetKey={run.status}
                        onDone={(text) => {
                          setMessage(text);
                          reload();
                        }}
                      />
                    </>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data?.nextCursor !== undefined ? (
        <button type="button" onClick={() => setCursor(data.nextCursor)}>
          Next page
        </button>
      ) : null}
    </section>
  );
}
