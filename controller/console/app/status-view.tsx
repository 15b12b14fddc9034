/**
 * Troubles and the controller (R-UI-1, R-TRB, R-GIT-4): the troubles of the visible jobnets, and
 * the controller's status — applied, fetched and attempted revisions, conditions, each jobnet's
 * sync and health, and a stalled revision's diagnostics at file:line:column with their code frame.
 *
 * Browser code.
 */
import { getJson, type Me, type Trouble } from './api.js';
import { StateBadge, time, usePoll } from './ui.js';

interface Diagnostic {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  path?: string;
  revision?: string;
  /** The lines around it, the problem line marked `>` and a caret under the column (`jobnet validate`'s frame). */
  frame?: string[];
}

interface Status {
  source: string;
  taskQueue: string;
  fetchedRevision?: string;
  fetchedAt?: string;
  attemptedRevision?: string;
  attemptedAt?: string;
  appliedRevision?: string;
  appliedAt?: string;
  conditions: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
  jobnets: { project: string; jobnet: string; sync: string; health: string; status?: string; revision?: string }[];
  diagnostics: Diagnostic[];
  lastError?: string;
  sourceWarning?: string;
  retentionWarning?: string;
}

async function load(): Promise<{ troubles: Trouble[]; status: Status | string }> {
  const [troubles, status] = await Promise.all([
    getJson<Trouble[]>('/api/v1/troubles'),
    getJson<Status>('/api/v1/status').catch((error: unknown) =>
      error instanceof Error ? error.message : String(error),
    ),
  ]);
  return { troubles, status };
}

const short = (revision: string | undefined) => (revision === undefined ? '–' : revision.slice(0, 12));

export function StatusView({ me }: { me: Me }) {
  const { data, error } = usePoll(load, 'status');
  const visible = new Set(me.projects.map((entry) => entry.project));
  const status = typeof data?.status === 'object' ? data.status : undefined;
  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">Troubles and the controller</h1>
      {error !== undefined ? <p class="error">{error}</p> : null}
      <h2>Troubles</h2>
      <table class="grid" data-testid="troubles">
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Kind</th>
            <th scope="col">Jobnet</th>
            <th scope="col">Job</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {[...(data?.troubles ?? [])].reverse().map((trouble) => (
            <tr>
              <td>{time(trouble.at)}</td>
              <td>{trouble.kind}</td>
              <td>
                {trouble.runId !== undefined ? (
                  <a href={`#/run/${encodeURIComponent(trouble.runId)}`}>
                    {trouble.project}/{trouble.jobnet}
                  </a>
                ) : (
                  `${trouble.project}/${trouble.jobnet}`
                )}
              </td>
              <td>
                {trouble.job ?? ''}
                {trouble.exitCode !== undefined ? ` (exit ${trouble.exitCode})` : ''}
              </td>
              <td>{trouble.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Controller</h2>
      {typeof data?.status === 'string' ? <p class="error">{data.status}</p> : null}
      {status !== undefined ? (
        <>
          <dl class="revisions">
            <dt>Source</dt>
            <dd>{status.source}</dd>
            <dt>Applied</dt>
            <dd>
              <code>{short(status.appliedRevision)}</code> {time(status.appliedAt)}
            </dd>
            <dt>Fetched</dt>
            <dd>
              <code>{short(status.fetchedRevision)}</code> {time(status.fetchedAt)}
            </dd>
            <dt>Attempted</dt>
            <dd>
              <code>{short(status.attemptedRevision)}</code> {time(status.attemptedAt)}
            </dd>
          </dl>
          {[status.lastError, status.sourceWarning, status.retentionWarning].map((text) =>
            text !== undefined ? <p class="error">{text}</p> : null,
          )}
          <h3>Conditions</h3>
          <ul>
            {status.conditions.map((condition) => (
              <li data-condition={condition.type}>
                <strong>{condition.type}</strong> {condition.status} {condition.reason ?? ''} —{' '}
                {condition.message ?? ''}
              </li>
            ))}
          </ul>
          {status.diagnostics.length > 0 ? (
            <>
              <h3>Diagnostics of revision {short(status.attemptedRevision)}</h3>
              <ul class="diagnostics" data-testid="diagnostics">
                {status.diagnostics.map((diagnostic) => (
                  <li class={`diagnostic ${diagnostic.severity}`}>
                    <code>
                      {diagnostic.file}:{diagnostic.line}:{diagnostic.column}
                    </code>{' '}
                    {diagnostic.severity} {diagnostic.code}: {diagnostic.message}
                    {diagnostic.path !== undefined && diagnostic.path !== '' ? (
                      <span class="path"> at {diagnostic.path}</span>
                    ) : null}
                    {diagnostic.frame !== undefined ? (
                      <pre
                        class="code-frame"
                        aria-label={`Source around ${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`}
                      >
                        {diagnostic.frame.join('\n')}
                      </pre>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Jobnets</h3>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Jobnet</th>
                <th scope="col">Sync</th>
                <th scope="col">Health</th>
                <th scope="col">State</th>
                <th scope="col">Revision</th>
              </tr>
            </thead>
            <tbody>
              {status.jobnets
                .filter((entry) => me.admin || visible.has(entry.project))
                .map((entry) => (
                  <tr>
                    <th scope="row">
                      {entry.project}/{entry.jobnet}
                    </th>
                    <td>{entry.sync}</td>
                    <td>{entry.health}</td>
                    <td>
                      {entry.status !== undefined ? (
                        <StateBadge status={entry.sync === 'Retired' ? 'retired' : entry.status} />
                      ) : (
                        '–'
                      )}
                    </td>
                    <td>
                      <code>{short(entry.revision)}</code>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
