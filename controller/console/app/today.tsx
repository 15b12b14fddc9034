/**
 * Today's timeline (R-UI-1): a Gantt of the last and the next twelve hours — for every visible
 * jobnet its runs (bars, still growing while running) and its next planned start (a mark, from
 * the same start-time functions as `jobnet next`), with the "now" line and the midnight
 * (day-change) line.
 *
 * Browser code.
 */
import { getJson, type JobnetItem, type RunEntry } from './api.js';
import { displayStateOf } from './states.js';
import { time, usePoll } from './ui.js';

const hour = 3_600_000;

async function load(): Promise<{ jobnets: JobnetItem[]; runs: RunEntry[]; now: number }> {
  const now = Date.now();
  const [jobnets, runs] = await Promise.all([
    getJson<JobnetItem[]>('/api/v1/jobnets'),
    getJson<{ runs: RunEntry[] }>(
      `/api/v1/runs?from=${encodeURIComponent(new Date(now - 12 * hour).toISOString())}&limit=500`,
    ),
  ]);
  return { jobnets, runs: runs.runs, now };
}

/** Positions an element at [from, to] of the window (CSSOM, so the page's CSP needs no inline styles). */
function place(from: number, to: number, start: number, end: number) {
  return (element: HTMLElement | null) => {
    if (element === null) return;
    const span = end - start;
    element.style.left = `${Math.max(0, ((from - start) / span) * 100)}%`;
    element.style.width = `${Math.max(0.3, ((Math.min(to, end) - Math.max(from, start)) / span) * 100)}%`;
  };
}

export function TodayView() {
  const { data, error } = usePoll(load, 'today', 2000);
  if (data === undefined) return <p class={error !== undefined ? 'error' : 'loading'}>{error ?? 'loading…'}</p>;
  const start = data.now - 12 * hour;
  const end = data.now + 12 * hour;
  const midnight = new Date(data.now);
  midnight.setHours(24, 0, 0, 0);
  const dayChange = midnight.getTime() - (midnight.getTime() - hour * 24 > start ? hour * 24 : 0);
  return (
    <section aria-labelledby="today-title">
      <h1 id="today-title">Today</h1>
      <p>
        {time(new Date(start).toISOString())} – {time(new Date(end).toISOString())}
      </p>
      <div class="timeline" role="list" aria-label="Runs and planned starts">
        <div class="timeline-axis">
          <span class="now-line" ref={place(data.now, data.now, start, end)} title="now" />
          <span class="day-line" ref={place(dayChange, dayChange, start, end)} title="day change" />
        </div>
        {data.jobnets.map((jobnet) => {
          const runs = data.runs.filter((run) => run.project === jobnet.project && run.jobnet === jobnet.jobnet);
          const planned = jobnet.nextStart ? Date.parse(jobnet.nextStart.instant) : undefined;
          return (
            <div class="gantt-row" role="listitem" data-jobnet={`${jobnet.project}/${jobnet.jobnet}`}>
              <span class="gantt-name">
                {jobnet.project}/{jobnet.jobnet}
              </span>
              <span class="gantt-track">
                {runs.map((run) => {
                  const from = Date.parse(run.started);
                  const to = run.finished !== undefined ? Date.parse(run.finished) : data.now;
                  return (
                    <a
                      href={`#/run/${encodeURIComponent(run.id)}`}
                      class={`gantt-bar state-${displayStateOf(run.status)}${run.open ? ' open' : ''}`}
                      ref={place(from, to, start, end)}
                      title={`${run.status}: ${time(run.started)} – ${time(run.finished)}`}
                      aria-label={`run ${run.status} started ${time(run.started)}`}
                    />
                  );
                })}
                {planned !== undefined && planned <= end ? (
                  <span
                    class="planned"
                    ref={place(planned, planned, start, end)}
                    title={`planned ${time(jobnet.nextStart?.instant)}`}
                  />
                ) : null}
              </span>
            </div>
          );
        })}
      </div>
    </section>
  );
}
