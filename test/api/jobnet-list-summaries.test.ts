/**
 * The jobnet list is read from the summaries the actors publish in their memos
 * (workflows/lib/jobnet-summary.ts), not by querying every actor: on the real dev server with a
 * real worker, each published summary equals the one its actor's view gives; an operation made
 * through the API shows in the next list at once (the API asks that actor while visibility
 * catches up) and the memo follows; an unchanged list answers a conditional request with 304; and
 * with the worker stopped — no actor can answer a query — the list still answers with every
 * jobnet's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJobnetView, listJobnetActors } from '../../controller/jobnets/jobnet-client.js';
import { recentWriteWindowMs } from '../../controller/lib/recent-writes.js';
import { summaryOfView } from '../../workflows/lib/jobnet-summary.js';
import { eventually, startApiFixture, type ApiFixture } from './api-fixture.js';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

interface ListRow {
  project: string;
  jobnet: string;
  status?: string;
  error?: string;
}

const actors = async () => await listJobnetActors(api.harness.client, api.harness.target.taskQueue);
const listed = async () => {
  const answer = await api.call('GET', '/api/v1/jobnets');
  expect(answer.status).toBe(200);
  return answer.body as ListRow[];
};
const statusOf = (rows: ListRow[], reference: string) =>
  rows.find((row) => `${row.project}/${row.jobnet}` === reference)?.status;

describe('the jobnet list from the actors’ summaries', () => {
  it('has every actor publish a summary equal to the one its view gives', async () => {
    const published = await eventually(actors, (found) => found.length === 4 && found.every((actor) => actor.summary));
    for (const actor of published) {
      const view = await getJobnetView(api.harness.client, api.harness.target.taskQueue, actor.project, actor.jobnet);
      expect(actor.summary, `${actor.project}/${actor.jobnet}`).toStrictEqual(summaryOfView(view));
    }
  });

  it('shows an operation made through the API in the next list, and the memo follows', async () => {
    const held = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/hold');
    expect(held.status, held.text).toBe(200);
    expect(statusOf(await listed(), 'alpha/manual')).toBe('held');
    const memo = await eventually(actors, (found) =>
      found.some((a) => a.jobnet === 'manual' && a.summary?.status === 'held'),
    );
    expect(memo.find((actor) => actor.jobnet === 'manual')?.summary).toMatchObject({ status: 'held' });

    const released = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/release');
    expect(released.status, released.text).toBe(200);
    expect(statusOf(await listed(), 'alpha/manual')).toBe('waiting');
    await eventually(actors, (found) => found.some((a) => a.jobnet === 'manual' && a.summary?.status === 'waiting'));
  });

  it('tags the list: asked again with its entity tag while nothing changed, it answers 304 without a body', async () => {
    const headers = { authorization: 'Bearer admin-token' };
    const first = await fetch(`${api.server.url}/api/v1/jobnets`, { headers });
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^"/);
    await first.text();
    const again = await fetch(`${api.server.url}/api/v1/jobnets`, { headers: { ...headers, 'if-none-match': tag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(`${api.server.url}/api/v1/jobnets`, { headers: { ...headers, 'if-none-match': '"x"' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).toBe(tag);
  });

  it('answers with every jobnet’s state while no worker can answer a query', async () => {
    // Past the window in which the API asks the actor it just operated on.
    await new Promise((resolve) => setTimeout(resolve, recentWriteWindowMs + 500));
    await api.harness.worker.shutdown();
    const rows = await listed();
    expect(rows.map((row) => `${row.project}/${row.jobnet}`)).toEqual([
      'alpha/manual',
      'alpha/on-order',
      'alpha/waiter',
      'beta/other',
    ]);
    expect(rows.filter((row) => row.error !== undefined)).toEqual([]);
    expect(statusOf(rows, 'alpha/manual')).toBe('waiting');
  }, 60_000);
});
