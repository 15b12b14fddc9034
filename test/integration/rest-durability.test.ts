/**
 * Durability of the REST job (R-REST-2, R-REST-3): real `jobnet worker` processes killed with
 * SIGKILL while a job polls and while it is being force-terminated, against a real HTTP target
 * that counts what it receives. The poll count survives the worker (it is the activity's attempt
 * number, kept by the server), the request is never sent twice, and the termination request is
 * never sent twice: once, or — when the worker dies between the server storing its "sending" mark
 * and the request leaving, a window no retry can see into — not again, reported as unknown (0638).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { CompiledJobSettings } from '../../workflows/lib/compiled-jobnet.js';
import type { RestSpec } from '../../workflows/lib/job-specs.js';
import { runOperationUpdate, type RunInput } from '../../workflows/run-contract.js';
import { jobnetOf, summary } from './run-fixtures.js';
import { startRestTarget, type RestTarget } from './rest-target.js';
import { killWorkerProcess, startWorkerProcess, stopWorkerProcesses, waitForView } from './worker-process.js';

let target: RestTarget;
let connection: Connection;
let client: Client;
const address = (): string => inject('temporalAddress');
const namespace = (): string => inject('temporalNamespace');

beforeAll(async () => {
  target = await startRestTarget();
  connection = await Connection.connect({ address: address() });
  client = new Client({ connection, namespace: namespace() });
});

afterAll(async () => {
  await stopWorkerProcesses();
  await connection?.close();
  await target?.stop();
});

function restJobnet(
  name: string,
  spec: Omit<RestSpec, 'outputLimitBytes'>,
  extra: Partial<CompiledJobSettings> = {},
): RunInput {
  const jobnet = jobnetOf(name, [
    { name: 'call', type: 'rest', spec: { outputLimitBytes: 1024 * 1024, ...spec }, ...extra },
  ]);
  return { jobnet, children: {}, businessDate: '2026-11-23', trigger: 'manual', requestedBy: 'test', level: 1 };
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('REST job durability', () => {
  it('a worker killed while polling resumes with the same poll count and does not send the request again', async () => {
    const taskQueue = `rest-poll-kill-${process.pid}-${Date.now()}`;
    target.route('POST', '/poll-kill/submit', { body: { id: 'w1' } });
    target.route('GET', '/poll-kill/status/w1', (_request, count) => ({ body: { state: 'RUNNING', poll: count } }));
    const first = await startWorkerProcess(address(), namespace(), taskQueue);
    const id = `run/test/rest-poll-kill/${taskQueue}`;
    await client.workflow.start('runWorkflow', {
      workflowId: id,
      taskQueue,
      args: [
        restJobnet('rest-poll-kill', {
          request: { url: `${target.url}/poll-kill/submit`, method: 'POST', timeout: 5, takeoverKeys: { ID: 'id' } },
          monitoring: {
            url: `${target.url}/poll-kill/status/<ID>`,
            method: 'GET',
            firstMonitorInterval: 1,
            pollingInterval: 2,
            pollingCount: 6,
            pollingEndKey: 'state',
            pollingEndVal: ['DONE'],
            checkResultKey: 'state',
            checkResultVal: ['DONE'],
          },
        }),
      ],
    });
    await waitUntil(() => target.requests('/poll-kill/status/w1').length >= 2, 30_000, 'the second poll');
    // Between two polls: the next one is a retry timer held by the server, not by the worker.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await killWorkerProcess(first);
    const pollsBeforeRestart = target.requests('/poll-kill/status/w1').length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(target.requests('/poll-kill/status/w1')).toHaveLength(pollsBeforeRestart);

    await startWorkerProcess(address(), namespace(), taskQueue);
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);
    expect(summary(view)).toEqual({ '': 'abended', call: 'abended 6' });
    expect(target.requests('/poll-kill/submit')).toHaveLength(1);
    expect(target.requests('/poll-kill/status/w1')).toHaveLength(6);
    expect(view.state.jobs.call?.output).toContain('"poll": 6');
    expect(view.state.jobs.call?.output).toContain('(6 polls sent, pollingCount reached)');
    // All six polls are one activity in history.
    const history = await client.workflow.getHandle(id).fetchHistory();
    const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes);
    expect(scheduled.map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual([
      'restRequest',
      'restPoll',
    ]);
  }, 150_000);

  it('an operator kill whose worker dies right after accepting it sends the termination request once, or says it cannot know', async () => {
    const taskQueue = `rest-op-kill-${process.pid}-${Date.now()}`;
    target.route('POST', '/op-kill/submit', { body: { executionArn: 'arn:op' } });
    target.route('GET', '/op-kill/status', { body: { status: 'RUNNING' } });
    target.route('POST', '/op-kill/stop', { body: {} });
    const first = await startWorkerProcess(address(), namespace(), taskQueue);
    const id = `run/test/rest-op-kill/${taskQueue}`;
    await client.workflow.start('runWorkflow', {
      workflowId: id,
      taskQueue,
      args: [
        restJobnet('rest-op-kill', {
          request: {
            url: `${target.url}/op-kill/submit`,
            method: 'POST',
            timeout: 5,
            takeoverKeys: { ARN: 'executionArn' },
          },
          monitoring: {
            url: `${target.url}/op-kill/status`,
            method: 'GET',
            firstMonitorInterval: 1,
            pollingInterval: 1,
            pollingCount: 0,
            pollingEndKey: 'status',
            pollingEndVal: ['SUCCEEDED', 'FAILED'],
            checkResultKey: 'status',
            checkResultVal: ['SUCCEEDED'],
          },
          termination: { url: `${target.url}/op-kill/stop`, method: 'POST', body: { executionArn: '<ARN>' } },
        }),
      ],
    });
    await waitUntil(() => target.requests('/op-kill/status').length >= 1, 30_000, 'the first poll');
    await client.workflow
      .getHandle(id)
      .executeUpdate(runOperationUpdate, { args: [{ operation: 'forceTerminateJob', job: 'call', by: 'carol' }] });
    await killWorkerProcess(first);
    const sentBeforeRestart = target.requests('/op-kill/stop').length;

    await startWorkerProcess(address(), namespace(), taskQueue);
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);
    expect(summary(view)).toEqual({ '': 'abended', call: 'forced 256 operator' });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const stops = target.requests('/op-kill/stop');
    // Whichever worker sent it, the other one did not send it again.
    expect(sentBeforeRestart).toBeLessThanOrEqual(1);
    if (stops.length === 0) {
      // The kill landed between the server storing the "sending" mark and the request leaving (one
      // round trip): the successor cannot know whether it left, so it says so (0638) instead of
      // sending a second time — never silently, never twice.
      expect(view.state.jobs.call?.output).toContain(
        'the worker sending the termination request stopped during the send; it is not sent again',
      );
      return;
    }
    expect(stops).toHaveLength(1);
    expect(JSON.parse(stops[0]?.body ?? '')).toEqual({ executionArn: 'arn:op' });
  }, 150_000);

  it('a time-limit kill whose worker dies while the termination request is in flight does not send it again', async () => {
    const taskQueue = `rest-limit-kill-${process.pid}-${Date.now()}`;
    target.route('POST', '/limit-kill/submit', { body: { id: 'l1' } });
    target.route('GET', '/limit-kill/status', { body: { status: 'RUNNING' } });
    target.route('DELETE', '/limit-kill/jobs/l1', { delayMs: 4_000, body: {} });
    const first = await startWorkerProcess(address(), namespace(), taskQueue);
    const id = `run/test/rest-limit-kill/${taskQueue}`;
    await client.workflow.start('runWorkflow', {
      workflowId: id,
      taskQueue,
      args: [
        restJobnet(
          'rest-limit-kill',
          {
            request: {
              url: `${target.url}/limit-kill/submit`,
              method: 'POST',
              timeout: 10,
              takeoverKeys: { ID: 'id' },
            },
            monitoring: {
              url: `${target.url}/limit-kill/status`,
              method: 'GET',
              firstMonitorInterval: 1,
              pollingInterval: 1,
              pollingCount: 0,
              pollingEndKey: 'status',
              pollingEndVal: ['DONE'],
              checkResultKey: 'status',
              checkResultVal: ['DONE'],
            },
            termination: { url: `${target.url}/limit-kill/jobs/<ID>`, method: 'DELETE' },
          },
          { timeLimitSeconds: 3 },
        ),
      ],
    });
    await waitUntil(() => target.requests('/limit-kill/jobs/l1').length === 1, 30_000, 'the termination request');
    await killWorkerProcess(first);

    await startWorkerProcess(address(), namespace(), taskQueue);
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 120_000);
    expect(summary(view)).toEqual({ '': 'abended', call: 'forced 256 timeLimit' });
    expect(target.requests('/limit-kill/jobs/l1', 'DELETE')).toHaveLength(1);
    expect(view.state.jobs.call?.output).toContain(
      '0638: An issue occurred with the HTTP request. RequestType=termination',
    );
    expect(view.state.jobs.call?.output).toContain('it is not sent again');
  }, 180_000);

  it('a worker killed before the request leaves (while fetching its token) leaves no mark: the next worker sends it once', async () => {
    const taskQueue = `rest-token-kill-${process.pid}-${Date.now()}`;
    // The first token request is the killed worker's: it is never answered in time.
    target.route('POST', '/token-kill/token', (_request, count) => ({
      delayMs: count === 1 ? 20_000 : 0,
      body: { access_token: 'token-kill-access', token_type: 'Bearer', expires_in: 3600 },
    }));
    target.route('POST', '/token-kill/submit', { body: { id: 't1' } });
    const first = await startWorkerProcess(address(), namespace(), taskQueue);
    const id = `run/test/rest-token-kill/${taskQueue}`;
    await client.workflow.start('runWorkflow', {
      workflowId: id,
      taskQueue,
      args: [
        restJobnet('rest-token-kill', {
          credential: {
            name: 'svc',
            type: 'scs',
            clientId: 'token-kill-client',
            clientSecret: 'token-kill-secret',
            endpoint: `${target.url}/token-kill/token`,
          },
          request: { url: `${target.url}/token-kill/submit`, method: 'POST', timeout: 25 },
        }),
      ],
    });
    await waitUntil(() => target.requests('/token-kill/token').length === 1, 30_000, 'the token request');
    await killWorkerProcess(first);
    expect(target.requests('/token-kill/submit')).toHaveLength(0);

    await startWorkerProcess(address(), namespace(), taskQueue);
    // The lost attempt is noticed by its heartbeat timeout (30 s) and tried again.
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);
    expect(summary(view)).toEqual({ '': 'normal', call: 'normal 0' });
    const sent = target.requests('/token-kill/submit');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe('Bearer token-kill-access');
    expect(target.requests('/token-kill/token')).toHaveLength(2);
    const history = await client.workflow.getHandle(id).fetchHistory();
    const started = (history.events ?? []).find((event) => event.activityTaskStartedEventAttributes);
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  }, 150_000);

  it('a worker killed while the request is in flight does not send it again: the job ends with 239', async () => {
    const taskQueue = `rest-send-kill-${process.pid}-${Date.now()}`;
    target.route('POST', '/send-kill/submit', { delayMs: 20_000, body: { id: 's1' } });
    const first = await startWorkerProcess(address(), namespace(), taskQueue);
    const id = `run/test/rest-send-kill/${taskQueue}`;
    await client.workflow.start('runWorkflow', {
      workflowId: id,
      taskQueue,
      args: [
        restJobnet('rest-send-kill', {
          request: { url: `${target.url}/send-kill/submit`, method: 'POST', timeout: 25 },
        }),
      ],
    });
    await waitUntil(() => target.requests('/send-kill/submit').length === 1, 30_000, 'the request');
    await killWorkerProcess(first);

    await startWorkerProcess(address(), namespace(), taskQueue);
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);
    expect(summary(view)).toEqual({ '': 'abended', call: 'abended 239' });
    expect(view.state.jobs.call?.output).toContain(
      'the request is not sent again, because it may have reached the service',
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(target.requests('/send-kill/submit')).toHaveLength(1);
  }, 150_000);
});
