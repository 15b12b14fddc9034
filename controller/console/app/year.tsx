/**
 * A jobnet's year (R-UI-1, R-DAYS): the `jobnet days` grid — twelve months, start days marked —
 * from `GET /api/v1/jobnets/{project}/{jobnet}/days`.
 *
 * Browser code.
 */
import { useState } from 'preact/hooks';
import { getJson, jobnetPath } from './api.js';
import { usePoll } from './ui.js';

interface Days {
  jobnet: string;
  year: number;
  calendar: string;
  timezone: string;
  startDays: string[];
  problems: string[];
}

export function YearView({ project, jobnet }: { project: string; jobnet: string }) {
  const [year, setYear] = useState<number | undefined>(undefined);
  const { data, error } = usePoll(
    () => getJson<Days>(`${jobnetPath(project, jobnet)}/days${year !== undefined ? `?year=${year}` : ''}`),
    `${project}/${jobnet}/${year ?? ''}`,
    0,
  );
  if (data === undefined) return <p class={error !== undefined ? 'error' : 'loading'}>{error ?? 'loading…'}</p>;
  const days = new Set(data.startDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    <section aria-labelledby="year-title">
      <h1 id="year-title">
        {data.jobnet}: start days of {data.year}
      </h1>
      <p>
        calendar {data.calendar} ({data.timezone}) · {data.startDays.length} start days{' '}
        <button type="button" onClick={() => setYear(data.year - 1)}>
          {data.year - 1}
        </button>{' '}
        <button type="button" onClick={() => setYear(data.year + 1)}>
          {data.year + 1}
        </button>
      </p>
      {data.problems.map((problem) => (
        <p class="error">{problem}</p>
      ))}
      <div class="year">
        {Array.from({ length: 12 }, (_, month) => {
          const first = new Date(Date.UTC(data.year, month, 1));
          const length = new Date(Date.UTC(data.year, month + 1, 0)).getUTCDate();
          const offset = first.getUTCDay();
          return (
            <table class="month">
              <caption>{`${data.year}-${pad(month + 1)}`}</caption>
              <thead>
                <tr>
                  {['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'].map((day) => (
                    <th scope="col">{day}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {Array.from({ length: Math.ceil((offset + length) / 7) }, (_, week) => (
                  <tr>
                    {Array.from({ length: 7 }, (_, weekday) => {
                      const day = week * 7 + weekday - offset + 1;
                      if (day < 1 || day > length) return <td />;
                      const date = `${data.year}-${pad(month + 1)}-${pad(day)}`;
                      return (
                        <td
                          class={days.has(date) ? 'start-day' : ''}
                          data-date={date}
                          aria-label={days.has(date) ? `${date} start day` : date}
                        >
                          {day}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          );
        })}
      </div>
    </section>
  );
}
