/**
 * Today's timeline (R-UI-1): a Gantt of the business date — from the day change of the jobnets'
 * calendars to the next — with, for every visible jobnet, each planned start of the date (the
 * start-time functions of `jobnet next`, through `GET …/day`), its runs (bars, growing while they
 * run), overruns and delays marked (`timeline.ts`), the day-change lines and the "now" line.
 *
 * A jobnet's planned day is read once per revision and business date (it changes with neither
 * polling nor runs); the jobnets, runs and troubles are polled every 2 s.
 *
 * Browser code.
 */
import { getJson, jobnetPath, type JobnetItem, type RunEntry, type Trouble } from './api.js';
import { displayStateOf } from './states.js';
import { rowMarks, type PlannedDay, type RowMarks, type StartMark } from './timeline.js';
import { time, usePoll } from './ui.js';

const hour = 3_600_000;

/** Planned days by `project/jobnet`, with the revision they were read for. */
const plannedDays = new Map<string, { revision: string | undefined; day: PlannedDay | undefined }>();

async function plannedDayFor(jobnet: JobnetItem, now: number): Promise<PlannedDay | undefined> {
  const key = `${jobnet.project}/${jobnet.jobnet}`;
  const known = plannedDays.get(key);
  if (
    known !== undefined &&
    known.revision === jobnet.revision &&
    (known.day === undefined || now < Date.parse(known.day.dayEnd))
  )
    return known.day;
  const day = await getJson<PlannedDay>(`${jobnetPath(jobnet.project, jobnet.jobnet)}/day`).catch(() => undefined);
  plannedDays.set(key, { revision: jobnet.revision, day });
  return day;
}

interface Today {
  now: number;
  jobnets: JobnetItem[];
  days: (PlannedDay | undefined)[];
  runs: RunEntry[];
  troubles: Trouble[];
}

async function load(): Promise<Today> {
  const now = Date.now();
  const jobnets = (await getJson<JobnetItem[]>('/api/v1/jobnets')).filter((jobnet) => jobnet.error === undefined);
  const days = await Promise.all(jobnets.map((jobnet) => plannedDayFor(jobnet, now)));
  const from = Math.min(now - 12 * hour, ...days.map((day) => (day !== undefined ? Date.parse(day.dayStart) : now)));
  const since = encodeURIComponent(new Date(from).toISOString());
  const [runs, troubles] = await Promise.all([
    getJson<{ runs: RunEntry[] }>(`/api/v1/runs?from=${since}&limit=500`),
    getJson<Trouble[]>(`/api/v1/troubles?since=${since}`),
  ]);
  return { now, jobnets, days, runs: runs.runs, troubles };
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

const startText: Record<StartMark, string> = {
  started: 'started',
  due: 'not yet due',
  delayed: 'not started: delayed',
  skipped: 'skipped: the schedule is disabled',
  events: 'earliest event start',
};

/** The window: the business days of the jobnets' dates, a little wider so their day changes show. */
function windowOf(data: Today): { start: number; end: number; dayChanges: { at: number; label: string }[] } {
  const days = data.days.filter((day): day is PlannedDay => day !== undefined);
  if (days.length === 0) return { start: data.now - 12 * hour, end: data.now + 12 * hour, dayChanges: [] };
  const first = Math.min(...days.map((day) => Date.parse(day.dayStart)));
  const last = Math.max(...days.map((day) => Date.parse(day.dayEnd)));
  const pad = (last - first) * 0.03;
  const changes = new Map<number, string>();
  for (const day of days) {
    const label = `day change ${day.dayChangeTime} ${day.timezone} (${day.calendar})`;
    changes.set(Date.parse(day.dayStart), `${label}: business date ${day.businessDate} begins`);
    if (!changes.has(Date.parse(day.dayEnd))) changes.set(Date.parse(day.dayEnd), `${label}: next business date`);
  }
  return {
    start: first - pad,
    end: last + pad,
    dayChanges: [...changes].map(([at, label]) => ({ at, label })).sort((a, b) => a.at - b.at),
  };
}

function Notes({ marks }: { marks: RowMarks }) {
  const delayed = marks.starts.filter((start) => start.mark === 'delayed').length;
  const going = marks.runs.filter((run) => run.going).length;
  const overruns = marks.runs.filter((run) => run.overrun !== undefined).length;
  const notes: { kind: string; text: string }[] = [];
  if (marks.starts.length > 0) notes.push({ kind: 'planned', text: `${marks.starts.length} planned` });
  if (delayed > 0) notes.push({ kind: 'delayed', text: `${delayed} delayed` });
  if (marks.startDelayed !== undefined) notes.push({ kind: 'start-delayed', text: 'start deadline missed' });
  if (going > 0) notes.push({ kind: 'going', text: 'running' });
  if (overruns > 0) notes.push({ kind: 'overrun', text: `${overruns} overrun` });
  return (
    <span class="gantt-notes">
      {notes.map((note) => (
        <span class={`note note-${note.kind}`} data-note={note.kind}>
          {note.text}
        </span>
      ))}
    </span>
  );
}

export function TodayView() {
  const { data, error } = usePoll(load, 'today', 2000);
  if (data === undefined) return <p class={error !== undefined ? 'error' : 'loading'}>{error ?? 'loading…'}</p>;
  const { start, end, dayChanges } = windowOf(data);
  const dates = [...new Set(data.days.flatMap((day) => (day !== undefined ? [day.businessDate] : [])))];
  return (
    <section aria-labelledby="today-title">
      <h1 id="today-title">Today</h1>
      <p>
        Business date {dates.length > 0 ? dates.join(', ') : '–'}: {time(new Date(start).toISOString())} –{' '}
        {time(new Date(end).toISOString())}
      </p>
      {dayChanges.length > 0 ? (
        <p class="day-changes">
          Day changes:{' '}
          {dayChanges.map((change, index) => (
            <span data-day-change={new Date(change.at).toISOString()}>
              {index > 0 ? '; ' : ''}
              {time(new Date(change.at).toISOString())} — {change.label}
            </span>
          ))}
        </p>
      ) : null}
      {error !== undefined ? <p class="error">{error}</p> : null}
      <ul class="legend" aria-label="Legend">
        <li>
          <span class="planned" /> planned start
        </li>
        <li>
          <span class="planned delayed" /> delayed start
        </li>
        <li>
          <span class="gantt-bar going" /> running
        </li>
        <li>
          <span class="gantt-bar overrun" /> overrun
        </li>
        <li>
          <span class="day-line" /> day change
        </li>
      </ul>
      <div class="timeline">
        <div class="timeline-axis" aria-hidden="true">
          <span class="now-line" ref={place(data.now, data.now, start, end)} title="now" />
          {dayChanges.map((change) => (
            <span
              class="day-line"
              data-at={new Date(change.at).toISOString()}
              ref={place(change.at, change.at, start, end)}
              title={change.label}
            />
          ))}
        </div>
        <ul class="gantt-rows" aria-label="Runs and planned starts of the business date">
          {data.jobnets.map((jobnet, index) => {
            const plan = data.days[index];
            const runs = data.runs.filter(
              (run) =>
                run.project === jobnet.project &&
                run.jobnet === jobnet.jobnet &&
                (run.finished === undefined || Date.parse(run.finished) >= start) &&
                Date.parse(run.started) <= end,
            );
            const marks = rowMarks(plan, runs, jobnet.openRun, data.troubles, data.now);
            const name = `${jobnet.project}/${jobnet.jobnet}`;
            return (
              <li class="gantt-row" data-jobnet={name}>
                <a class="gantt-name" href={`#/jobnet/${jobnet.project}/${jobnet.jobnet}`}>
                  {name}
                </a>
                <span class="gantt-track">
                  {marks.runs.map((run) => (
                    <a
                      href={`#/run/${encodeURIComponent(run.run.id)}`}
                      class={`gantt-bar state-${displayStateOf(run.run.status)}${run.run.open ? ' open' : ''}${run.going ? ' going' : ''}${run.overrun !== undefined ? ' overrun' : ''}`}
                      data-run={run.run.id}
                      ref={place(run.from, run.to, start, end)}
                      title={`${run.run.status}: ${time(run.run.started)} – ${run.going ? 'still running' : time(run.run.finished)}${run.overrun !== undefined ? `; overrun: ${run.overrun}` : ''}`}
                      aria-label={`${name} run ${run.run.status}, started ${time(run.run.started)}${run.going ? ', still running' : `, ended ${time(run.run.finished)}`}${run.overrun !== undefined ? `, overrun: ${run.overrun}` : ''}`}
                    />
                  ))}
                  {marks.starts.map((planned) => (
                    <span
                      class={`planned ${planned.mark}`}
                      role="img"
                      data-mark={planned.mark}
                      data-instant={new Date(planned.instant).toISOString()}
                      ref={place(planned.instant, planned.instant, start, end)}
                      title={`planned ${planned.time}: ${startText[planned.mark]}`}
                      aria-label={`${name} planned ${planned.time}: ${startText[planned.mark]}`}
                    />
                  ))}
                </span>
                <Notes marks={marks} />
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
