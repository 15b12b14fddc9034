/**
 * The controller's half of the run contract against the real dev server: a manual start gets the
 * documented workflow id, input and search attributes (docs/architecture.md#the-temporal-mapping, R-OPS-5), and operations on
 * runs that have ended or never existed are answered as such (R-OPS-3). No worker polls the task
 * queue used here, so the runs never execute; the run workflow's own behaviour is tested with it.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, defaultPayloadConverter } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualRunSequence, operateRun, startRun, waitForRunEnd } from '../../controller/runs/run-client.js';
import { workflowTypes } from '../../workflows/lib/wire-contract.js';
import { connectClient, type TemporalClientHandle } from '../../controller/temporal/temporal-target.js';
import { compiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import type { RunInput } from '../../workflows/run-contract.js';

const child: CompiledJobnet = {
  project: 'sales',
  name: 'load-ledger',
  revision: 'abc1234',
  jobs: { load: compiledJob({ name: 'load', type: 'sleep', spec: { seconds: 1 } }) },
};

/** A jobnet on a Tokyo calendar with a 05:00 day change, with one child jobnet. */
const jobnet: CompiledJobnet = {
  project: 'sales',
  name: 'daily-close',
  revision: 'abc1234',
  calendar: {
    name: 'jp',
    timezone: 'Asia/Tokyo',
    dayChangeMinutes: 300,
    versions: [{ weeklyHolidays: [], holidays: [], holidayNames: {}, workdays: [] }],
  },
  children: { 'load-ledger': child },
  jobs: { ledger: compiledJob({ name: 'ledger', type: 'jobnet', spec: { jobnet: 'load-ledger' } }) },
};

describe('run client', () => {
  let temporal: TemporalClientHandle;
  const taskQueue = `run-client-test-${randomUUID()}`;
  beforeAll(async () => {
    temporal = await connectClient({
      address: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      taskQueue,
    });
  });
  afterAll(async () => {
    await temporal?.close();
  });

  it('tags manual starts with the UTC instant to the millisecond', () => {
    expect(manualRunSequence(new Date('2026-11-23T10:15:00.123Z'))).toBe('manual-20261123T101500123Z');
  });

  it("starts the run workflow with the documented id, input and search attributes, on the business date of the jobnet's calendar", async () => {
    // 03:00 in Tokyo on 11-24 is before the 05:00 day change: business date 11-23.
    const now = new Date('2026-11-23T18:00:00.000Z');
    const id = await startRun(temporal.client, {
      taskQueue,
      jobnet,
      parameter: 'P1',
      requestedBy: 'alice',
      trigger: 'manual',
      now,
    });
    expect(id).toBe(`run/${encodeURIComponent(taskQueue)}/sales/daily-close/2026-11-23/manual-20261123T180000000Z`);

    const handle = temporal.client.workflow.getHandle(id);
    const description = await handle.describe();
    expect(description.type).toBe(workflowTypes.run);
    expect(description.taskQueue).toBe(taskQueue);
    const attributes = Object.fromEntries(
      ['JobnetProject', 'JobnetName', 'JobnetRevision', 'JobnetBusinessDate', 'JobnetTrigger', 'JobnetRunStatus'].map(
        (name) => [name, description.typedSearchAttributes.get({ name, type: 'KEYWORD' })],
      ),
    );
    expect(attributes).toEqual({
      JobnetProject: 'sales',
      JobnetName: 'daily-close',
      JobnetRevision: 'abc1234',
      JobnetBusinessDate: '2026-11-23',
      JobnetTrigger: 'manual',
      JobnetRunStatus: 'running',
    });

    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = defaultPayloadConverter.fromPayload<RunInput>(payload!);
    const { children: _children, ...withoutChildren } = jobnet;
    expect(input).toEqual({
      jobnet: withoutChildren,
      children: { 'load-ledger': child },
      businessDate: '2026-11-23',
      parameter: 'P1',
      trigger: 'manual',
      requestedBy: 'alice',
      level: 1,
      startedWithStatus: 'running',
    } satisfies RunInput);
    expect('children' in input.jobnet).toBe(false);
    await handle.terminate('test done');
  });

  it('uses the business date it is given, and the UTC system calendar for a jobnet without a calendar', async () => {
    const { calendar: _calendar, children: _children, ...plain } = jobnet;
    const now = new Date('2026-11-23T23:59:59.999Z');
    const systemDated = await startRun(temporal.client, {
      taskQueue,
      jobnet: plain,
      requestedBy: 'alice',
      trigger: 'manual',
      now,
    });
    expect(systemDated).toBe(
      `run/${encodeURIComponent(taskQueue)}/sales/daily-close/2026-11-23/manual-20261123T235959999Z`,
    );
    const given = await startRun(temporal.client, {
      taskQueue,
      jobnet: plain,
      requestedBy: 'alice',
      trigger: 'manual',
      businessDate: '2026-12-01',
      now,
    });
    expect(given).toBe(`run/${encodeURIComponent(taskQueue)}/sales/daily-close/2026-12-01/manual-20261123T235959999Z`);
    for (const id of [systemDated, given]) await temporal.client.workflow.getHandle(id).terminate('test done');
    await expect(
      startRun(temporal.client, {
        taskQueue,
        jobnet: plain,
        requestedBy: 'alice',
        trigger: 'manual',
        businessDate: '2026-02-30',
      }),
    ).rejects.toThrow(RangeError);
  });

  it('answers an operation on a run whose workflow has ended with a refusal, and throws for a run that does not exist', async () => {
    const id = await startRun(temporal.client, { taskQueue, jobnet, requestedBy: 'alice', trigger: 'manual' });
    await temporal.client.workflow.getHandle(id).terminate('test done');
    expect(await operateRun(temporal.client, id, { operation: 'closeRun', by: 'bob' })).toEqual({
      ok: false,
      reason: 'the run has ended (workflow terminated) and accepts no more operations',
    });
    await expect(operateRun(temporal.client, `${id}-missing`, { operation: 'closeRun', by: 'bob' })).rejects.toThrow(
      WorkflowNotFoundError,
    );
    await expect(waitForRunEnd(temporal.client, `${id}-missing`)).rejects.toThrow(WorkflowNotFoundError);
  });
});
