/**
 * Run detail (R-UI-1): the run's DAG drawn as SVG (dagre's layout: AND/OR joins, exit-code
 * conditions on edges, passed and held jobs, child jobnets that open their own graph), each
 * job's state, exit code, times and output (already redacted by the product), the jobs' timeline,
 * and the run and job operations of R-OPS-1 as buttons with a confirmation — disabled with the
 * run's reason when it refuses them. Refreshed every 2 s while the run is open.
 *
 * Browser code.
 */
import { useMemo, useState } from 'preact/hooks';
import { getJson, jobnetPath, runPath, type Graph, type JobnetGraph, type RunDetail, type RunJob } from './api.js';
import { layoutDag } from './dag-layout.js';
import type { RoleOf } from './main.js';
import { displayStateOf } from './states.js';
import { OperationButton, StateBadge, duration, errorText, time, usePoll } from './ui.js';

interface Loaded {
  run: RunDetail;
  graph: JobnetGraph | undefined;
}

const runOperations: [string, string][] = [
  ['restart', 'Restart the run from its failed jobs (or restart point)'],
  ['force-terminate', 'Force-terminate the whole run'],
  ['close', 'Close the ended run: it accepts no more operations'],
];

const jobOperations: [string, string][] = [
  ['force-terminate', 'Force-terminate the running job'],
  ['hold', 'Hold the job'],
  ['release', 'Release the held job'],
  ['disable', 'Disable the job (it counts as passed)'],
  ['enable', 'Enable the disabled job'],
  ['start-from', 'Start the job afresh and continue with its successors'],
  ['restart-from', 'Re-run the job and its successors'],
  ['skip', 'Treat the failed job as passed and continue'],
  ['run-only', 'Run only this job'],
];

export function Dag(props: {
  graph: Graph;
  jobs: ReadonlyMap<string, RunJob>;
  selected: string | undefined;
  onSelect: (job: string) => void;
  label: string;
  /** Draw the definition only (a child jobnet): no run states. */
  definitionOnly?: boolean;
}) {
  const layout = useMemo(() => layoutDag(props.graph), [props.graph]);
  return (
    <svg
      class="dag"
      role="group"
      aria-label={props.label}
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
        </marker>
      </defs>
      {layout.edges.map((edge) => (
        <g class={edge.recovery ? 'edge recovery' : 'edge'} data-edge={`${edge.from}->${edge.to}`}>
          <path
            d={edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x} ${point.y}`).join(' ')}
            marker-end="url(#arrow)"
          />
          {edge.label !== undefined && edge.labelAt !== undefined ? (
            <text x={edge.labelAt.x} y={edge.labelAt.y + 4} text-anchor="middle" class="edge-label">
              {edge.label}
            </text>
          ) : null}
        </g>
      ))}
      {layout.nodes.map((node) => {
        const job = props.jobs.get(node.name);
        const state = props.definitionOnly
          ? node.disabled
            ? 'disabled'
            : node.hold
              ? 'held'
              : 'definition'
          : (job?.state ?? (node.disabled ? 'disabled' : node.hold ? 'held' : 'waiting'));
        const subtitle = (node.title ?? node.type).slice(0, 22);
        const stateText = `${state}${job?.exitCode !== undefined ? ` · exit ${job.exitCode}` : ''}`;
        return (
          <g
            class={`node state-${displayStateOf(state)}${state === 'passed' ? ' passed' : ''}${props.selected === node.name ? ' selected' : ''}`}
            data-job={node.name}
            data-state={state}
            tabIndex={0}
            role="button"
            aria-description={node.title !== undefined && node.title !== subtitle ? node.title : undefined}
            onClick={() => props.onSelect(node.name)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                props.onSelect(node.name);
              }
            }}
          >
            <rect x={node.x} y={node.y} width={node.width} height={node.height} rx="6" />
            <text x={node.x + 8} y={node.y + 18} class="node-name">
              {node.child !== undefined ? '▸ ' : ''}
              {node.name}
            </text>
            <text x={node.x + 8} y={node.y + 34} class="node-title">
              {subtitle}
            </text>
            <text x={node.x + 8} y={node.y + 49} class="node-state">
              {stateText}
            </text>
            {node.join !== undefined ? (
              <text x={node.x + node.width - 8} y={node.y + 18} text-anchor="end" class="join">
                {node.join}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

async function loadRun(id: string): Promise<Loaded> {
  const run = await getJson<RunDetail>(runPath(id));
  const graph = await getJson<JobnetGraph>(`${jobnetPath(run.project, run.jobnet)}/graph`).catch(() => undefined);
  return { run, graph };
}

function JobTimeline({ jobs }: { jobs: RunJob[] }) {
  const started = jobs.flatMap((job) => (job.started !== undefined ? [Date.parse(job.started)] : []));
  if (started.length === 0) return null;
  const from = Math.min(...started);
  const to = Math.max(
    Date.now() > from ? from + 1000 : from,
    ...jobs.map((job) =>
      job.finished !== undefined ? Date.parse(job.finished) : job.started !== undefined ? Date.now() : from,
    ),
  );
  const span = Math.max(1, to - from);
  return (
    <div class="gantt" role="list" aria-label="Jobs timeline">
      {jobs.map((job) => (
        <div class="gantt-row" role="listitem">
          <span class="gantt-name">{job.name}</span>
          <span class="gantt-track">
            {job.started !== undefined ? (
              <span
                class={`gantt-bar state-${displayStateOf(job.state)}`}
                ref={(element) => {
                  if (element === null || job.started === undefined) return;
                  const start = Date.parse(job.started);
                  const end = job.finished !== undefined ? Date.parse(job.finished) : Date.now();
                  element.style.left = `${((start - from) / span) * 100}%`;
                  element.style.width = `${Math.max(0.5, ((end - start) / span) * 100)}%`;
                }}
                title={`${time(job.started)} – ${time(job.finished)}`}
              />
            ) : null}
          </span>
        </div>
      ))}
    </div>
  );
}

export function RunView({ id, roleOf }: { id: string; roleOf: RoleOf }) {
  const { data, error, reload } = usePoll(() => loadRun(id), id);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [child, setChild] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  if (data === undefined) return <p class={error !== undefined ? 'error' : 'loading'}>{error ?? 'loading…'}</p>;
  const { run, graph } = data;
  const role = roleOf(run.project);
  const mayOperate = role === 'operator' || role === 'admin';
  const jobs = new Map(run.jobs.map((job) => [job.name, job]));
  const job = selected !== undefined ? jobs.get(selected) : undefined;
  const jobDef = selected !== undefined ? graph?.jobs.find((entry) => entry.name === selected) : undefined;
  const stateKey = `${run.status}|${run.jobs.map((entry) => entry.state).join(',')}`;
  const done = (text: string) => {
    setMessage(text);
    reload();
  };
  const childGraph = child !== undefined ? graph?.children[child] : undefined;
  return (
    <section aria-labelledby="run-title">
      <h1 id="run-title">
        Run of {run.project}/{run.jobnet} {run.title !== undefined ? <span class="title">{run.title}</span> : null}
      </h1>
      <p class="run-summary">
        <StateBadge status={run.status} /> business date {run.businessDate} · {run.trigger}
        {run.requestedBy !== undefined ? ` by ${run.requestedBy}` : ''} · started {time(run.started)} · finished{' '}
        {time(run.finished)} · {duration(run.started, run.finished)}
        {run.parameter !== undefined ? ` · parameter ${run.parameter}` : ''}
      </p>
      <p class="run-id">
        <code>{run.id}</code>
        {run.retryOf !== undefined ? (
          <>
            {' '}
            retries <a href={`#/run/${encodeURIComponent(run.retryOf)}`}>the original run</a>
          </>
        ) : null}
      </p>
      {(run.retries ?? []).length > 0 ? (
        <p>
          Retried by:{' '}
          {(run.retries ?? []).map((retry) => (
            <a href={`#/run/${encodeURIComponent(retry.id)}`}>
              {time(retry.started)} ({retry.status}){' '}
            </a>
          ))}
        </p>
      ) : null}
      {run.error !== undefined ? <p class="error">{run.error}</p> : null}
      {mayOperate ? (
        <div class="operations" role="group" aria-label="Run operations">
          {runOperations.map(([operation, what]) => (
            <OperationButton
              label={operation}
              path={`${runPath(run.id)}/operations/${operation}`}
              confirmText={`${what}?`}
              resetKey={stateKey}
              onDone={done}
            />
          ))}
          <OperationButton
            label="retry"
            path={`${runPath(run.id)}/retry`}
            confirmText="Start a retry of this run?"
            resetKey={stateKey}
            onDone={done}
          />
          <OperationButton
            label="cancel"
            path={`${runPath(run.id)}/cancel`}
            confirmText="Cancel every running, waiting and held job of this run?"
            resetKey={stateKey}
            onDone={done}
          />
        </div>
      ) : null}
      {message !== undefined ? (
        <p class="message" role="status">
          {message}
        </p>
      ) : null}
      <h2>Jobs</h2>
      {graph !== undefined ? (
        <div class="dag-frame">
          <Dag
            graph={graph}
            jobs={jobs}
            selected={selected}
            label={`Jobs of ${run.project}/${run.jobnet}`}
            onSelect={(name) => {
              setSelected(name);
              const target = graph.jobs.find((entry) => entry.name === name)?.child;
              setChild(target);
            }}
          />
        </div>
      ) : (
        <p>The definition's graph is not available.</p>
      )}
      {childGraph !== undefined && child !== undefined ? (
        <div class="child">
          <h3>
            Child jobnet {child} {childGraph.title !== undefined ? <span class="title">{childGraph.title}</span> : null}
          </h3>
          <div class="dag-frame">
            <Dag
              definitionOnly
              graph={childGraph}
              jobs={new Map()}
              selected={undefined}
              label={`Jobs of child jobnet ${child}`}
              onSelect={() => undefined}
            />
          </div>
        </div>
      ) : null}
      {selected !== undefined ? (
        <div class="job-detail" aria-live="polite">
          <h3>
            Job {selected} {jobDef?.title !== undefined ? <span class="title">{jobDef.title}</span> : null}
          </h3>
          <p>
            <StateBadge status={job?.state ?? 'waiting'} /> exit code {job?.exitCode ?? '–'} · attempts{' '}
            {job?.attempts ?? 0} · started {time(job?.started)} · finished {time(job?.finished)}
          </p>
          {job?.error !== undefined ? <p class="error">{job.error}</p> : null}
          <pre class="output" aria-label={`Output of ${selected}`}>
            {job?.output ?? ''}
          </pre>
          {mayOperate ? (
            <div class="operations" role="group" aria-label={`Operations on job ${selected}`}>
              {jobOperations.map(([operation, what]) => (
                <OperationButton
                  label={operation}
                  path={`${runPath(run.id)}/operations/${operation}`}
                  body={{ job: selected }}
                  confirmText={`${what}: ${selected}?`}
                  resetKey={`${stateKey}|${selected}`}
                  onDone={done}
                />
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">State</th>
            <th scope="col">Exit code</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {run.jobs.map((entry) => (
            <tr data-job-row={entry.name}>
              <th scope="row">
                <button type="button" class="link" onClick={() => setSelected(entry.name)}>
                  {entry.name}
                </button>{' '}
                {entry.title ?? ''}
              </th>
              <td>
                <StateBadge status={entry.state} />
              </td>
              <td>{entry.exitCode ?? '–'}</td>
              <td>{time(entry.started)}</td>
              <td>{time(entry.finished)}</td>
              <td>{duration(entry.started, entry.finished)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Timeline</h2>
      <JobTimeline jobs={run.jobs} />
      {error !== undefined ? <p class="error">{errorText(error)}</p> : null}
    </section>
  );
}
