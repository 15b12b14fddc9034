/**
 * The pure decisions of incident and log delivery: name patterns and rules (R-INC-1, R-INC-4),
 * the incident record (R-INC-2), the failure streak's notices (R-INC-5), and what an actor step
 * hands on (R-LOG-1) with occurrence ids that differ between two actors of the same jobnet.
 */
import { describe, expect, it } from 'vitest';
import { compileIncidentRule } from '../../controller/incidents/compile-delivery.js';
import { outboxItemsOf } from '../../workflows/lib/actor-outbox.js';
import type { CompiledIncidentPolicy } from '../../workflows/lib/delivery-config.js';
import type { DeliveryCarried } from '../../workflows/delivery-contract.js';
import { carriedBytes, fitCarried, utf8Length } from '../../workflows/lib/delivery-carry.js';
import {
  afterAttempt,
  attemptBatchSize,
  claimBatch,
  laneMayAttempt,
  newSinkStatus,
  probeBatchSize,
} from '../../workflows/lib/delivery-sink.js';
import type { IncidentItem } from '../../workflows/lib/incident-record.js';
import { logEventOf } from '../../workflows/lib/log-events.js';
import { incidentDecisionOf, matchesNamePattern } from '../../workflows/lib/incident-policy.js';
import { incidentRecordOf } from '../../workflows/lib/incident-record.js';
import { createActorState, recordTrouble } from '../../workflows/lib/jobnet-state.js';

describe('name patterns', () => {
  it.each([
    ['*', 'anything', true],
    ['daily-*', 'daily-close', true],
    ['daily-*', 'weekly-close', false],
    ['*-sandbox', 'x-sandbox', true],
    ['*close*', 'month-end-close-2', true],
    ['a,b*', 'bee', true],
    ['a,b*', 'c', false],
    ['Sales', 'sales', false],
    ['exact', 'exact', true],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(matchesNamePattern(pattern, name)).toBe(expected);
  });
});

describe('incident rules', () => {
  const policy = {
    rules: {
      jobnetAbended: compileIncidentRule({
        impact: 2,
        urgency: 1,
        include: [{ project: 'sales,infra', jobnet: '*' }],
        exclude: [{ project: '*', jobnet: '*-sandbox' }],
        ignoreOperatorForcedEnd: true,
      }),
      executionSkipped: compileIncidentRule({ register: false }),
    },
  } as unknown as CompiledIncidentPolicy;

  it('includes, excludes (exclude wins), leaves out operator kills but not time-limit kills, and defaults', () => {
    expect(incidentDecisionOf(policy, { kind: 'jobnetAbended', project: 'sales', jobnet: 'daily' })).toEqual({
      register: true,
      impact: 2,
      urgency: 1,
    });
    expect(incidentDecisionOf(policy, { kind: 'jobnetAbended', project: 'sales', jobnet: 'x-sandbox' }).register).toBe(
      false,
    );
    expect(incidentDecisionOf(policy, { kind: 'jobnetAbended', project: 'hr', jobnet: 'daily' }).register).toBe(false);
    expect(
      incidentDecisionOf(policy, { kind: 'jobnetAbended', project: 'sales', jobnet: 'd', forcedReason: 'operator' })
        .register,
    ).toBe(false);
    expect(
      incidentDecisionOf(policy, { kind: 'jobnetAbended', project: 'sales', jobnet: 'd', forcedReason: 'timeLimit' })
        .register,
    ).toBe(true);
    expect(incidentDecisionOf(policy, { kind: 'executionSkipped', project: 'sales', jobnet: 'd' }).register).toBe(
      false,
    );
    expect(incidentDecisionOf(policy, { kind: 'jobOverrun', project: 'any', jobnet: 'd' })).toEqual({
      register: true,
      impact: 3,
      urgency: 3,
    });
    expect(incidentDecisionOf(undefined, { kind: 'jobOverrun', project: 'any', jobnet: 'd' }).register).toBe(false);
  });
});

describe('the failure streak', () => {
  it('notices once when a streak begins (third attempt, or a configuration error at once) and once when it ends', () => {
    let status = newSinkStatus('serviceNow');
    const notices: string[] = [];
    const fail = { ok: false as const, configuration: false, error: 'unreachable' };
    for (let i = 0; i < 6; i += 1) {
      const decision = afterAttempt(status, fail, 1000 * i, 0);
      status = decision.status;
      if (decision.notice) notices.push(decision.notice.kind);
    }
    expect(status.failing?.attempts).toBe(6);
    expect(status.failing!.nextAttemptAt - 5000).toBe(30_000);
    const ok = afterAttempt(status, { ok: true }, 10_000, 1);
    if (ok.notice) notices.push(ok.notice.kind);
    expect(notices).toEqual(['failing', 'recovered']);
    const short = afterAttempt(afterAttempt(newSinkStatus('s'), fail, 0, 0).status, { ok: true }, 1, 1);
    expect(short.notice).toBeUndefined();
    const configuration = afterAttempt(newSinkStatus('s'), { ...fail, configuration: true }, 0, 0);
    expect(configuration.notice?.kind).toBe('failing');
    expect(afterAttempt(newSinkStatus('s'), { ...fail, retryAfterMs: 7000 }, 0, 0).nextAttemptAt).toBe(7000);
  });
});

describe('what an actor step hands on', () => {
  it('gives each trouble an occurrence id of its actor chain, and logs run starts and normal ends', () => {
    const identity = { project: 'p', jobnet: 'j' };
    const before = createActorState('2026-01-01', 0);
    const after = structuredClone(before);
    after.currentRun = {
      runId: 'r1',
      businessDate: '2026-01-01',
      trigger: 'manual',
      startedAt: 5,
      status: 'running',
      completed: false,
    };
    recordTrouble(after, identity, { kind: 'jobOverrun', at: 7, job: 'a', message: 'overrun' });
    const source = { actorId: 'actor', actorFirstRunId: 'first-run', ...identity };
    const items = outboxItemsOf(source, before, after, 9);
    expect(items.incidents.map((item) => item.occurrenceId)).toEqual(['first-run#1']);
    expect(items.logs.map((event) => event.code)).toEqual(['0328', '10114']);
    const recreated = outboxItemsOf({ ...source, actorFirstRunId: 'another-run' }, before, after, 9);
    expect(recreated.incidents[0]!.occurrenceId).not.toBe(items.incidents[0]!.occurrenceId);
    const ended = structuredClone(after);
    ended.currentRun!.status = 'normal';
    expect(outboxItemsOf(source, after, ended, 10).logs.map((event) => event.code)).toEqual(['0329']);
  });

  it('builds the ServiceNow record with strings, the occurrence id and the exit code meaning', () => {
    const record = incidentRecordOf(
      {
        occurrenceId: 'x#1',
        troubleId: 'p/j#1',
        actorId: 'a',
        kind: 'jobnetAbended',
        at: 0,
        project: 'p',
        jobnet: 'j',
        exitCode: 256,
        forcedReason: 'timeLimit',
        message: 'm',
      },
      2,
      1,
    );
    expect(record).toMatchObject({ impact: '2', urgency: '1', correlation_id: 'x#1', correlation_display: 'p/j#1' });
    expect(record.description).toContain('Exit code: 256 (the job was force-terminated)');
    expect(record.description).toContain('0x40000322');
  });
});

describe('incident lanes', () => {
  it('gives each lane the first items no other lane holds, up to the batch size', () => {
    const queue = ['a', 'b', 'c', 'd', 'e'];
    expect(claimBatch(queue, new Set(), (item) => item, 2)).toEqual(['a', 'b']);
    expect(claimBatch(queue, new Set(['a', 'b']), (item) => item, 2)).toEqual(['c', 'd']);
    expect(claimBatch(queue, new Set(['a', 'c']), (item) => item, 10)).toEqual(['b', 'd', 'e']);
    expect(claimBatch(queue, new Set(queue), (item) => item, 10)).toEqual([]);
  });

  it('lets every lane attempt while the sink is healthy, and only the first one while it fails', () => {
    const healthy = newSinkStatus('serviceNow');
    const failing = afterAttempt(healthy, { ok: false, configuration: false, error: 'HTTP 503' }, 1_000, 0).status;
    expect(failing.failing).toBeDefined();
    expect([0, 1, 3].map((lane) => laneMayAttempt(lane, true, healthy))).toEqual([true, true, true]);
    expect([0, 1, 3].map((lane) => laneMayAttempt(lane, true, failing))).toEqual([true, false, false]);
    expect(laneMayAttempt(0, false, healthy)).toBe(false);
    expect(laneMayAttempt(0, true, undefined)).toBe(true);
  });

  it('sends full batches while the sink works and a probe while it fails', () => {
    const healthy = newSinkStatus('webhook:ops');
    const failing = afterAttempt(healthy, { ok: false, configuration: false, error: 'HTTP 503' }, 1_000, 0).status;
    expect(attemptBatchSize(healthy, 500)).toBe(500);
    expect(attemptBatchSize(undefined, 500)).toBe(500);
    expect(attemptBatchSize(failing, 500)).toBe(probeBatchSize);
    expect(attemptBatchSize(failing, 3)).toBe(3);
    const recovered = afterAttempt(failing, { ok: true }, 2_000, 10).status;
    expect(attemptBatchSize(recovered, 500)).toBe(500);
  });
});

describe('the state carried across continue-as-new', () => {
  const item = (n: number): IncidentItem => ({
    occurrenceId: `occ-${n}`,
    troubleId: `p/j#${n}`,
    actorId: 'jobnet/d/p/j',
    kind: 'jobnetAbended',
    at: n,
    project: 'p',
    jobnet: 'j',
    message: `ジョブネット p/j が異常終了しました ${'x'.repeat(300)}`,
  });
  const stateWith = (incidents: number, logs: number): DeliveryCarried => {
    const events = Array.from({ length: logs }, (_, n) =>
      logEventOf('jobnetEnded', { id: `ev-${n}`, at: n, project: 'p', jobnet: 'j' }),
    );
    return {
      unrouted: { incidents: [], logs: [] },
      incidents: Array.from({ length: incidents }, (_, n) => ({ item: item(n), impact: 2, urgency: 2 })),
      logs: { 'webhook:ops': [...events], azureMonitor: [...events.slice(0, logs / 2)] },
      status: {
        serviceNow: newSinkStatus('serviceNow'),
        'webhook:ops': newSinkStatus('webhook:ops'),
        azureMonitor: newSinkStatus('azureMonitor'),
      },
      notRegistered: [],
    };
  };

  it('measures UTF-8 bytes as the payload holds them', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('ジョブ')).toBe(9);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('ジョブ')).toBe(Buffer.byteLength('ジョブ'));
  });

  it('leaves a state that fits alone', () => {
    const state = stateWith(10, 10);
    const before = JSON.stringify(state);
    expect(fitCarried(state, carriedBytes(state))).toEqual({});
    expect(JSON.stringify(state)).toBe(before);
  });

  it('drops the oldest log events of the longest backlog first, then incidents, counting each, until it fits', () => {
    const state = stateWith(50, 400);
    const total = carriedBytes(state);
    const logsOnly = fitCarried(state, total - 20_000);
    expect(carriedBytes(state)).toBeLessThanOrEqual(total - 20_000);
    expect(logsOnly.serviceNow).toBeUndefined();
    expect(logsOnly['webhook:ops']).toBeGreaterThan(0);
    expect(state.logs['webhook:ops']?.[0]?.id).toBe(`ev-${logsOnly['webhook:ops']}`);
    expect(state.status['webhook:ops']?.dropped).toBe(logsOnly['webhook:ops']);

    const tight = stateWith(50, 400);
    const drops = fitCarried(tight, 10_000);
    expect(carriedBytes(tight)).toBeLessThanOrEqual(10_000);
    expect(tight.logs['webhook:ops']).toEqual([]);
    expect(tight.logs.azureMonitor).toEqual([]);
    expect(drops.serviceNow).toBeGreaterThan(0);
    expect(tight.incidents[0]?.item.occurrenceId).toBe(`occ-${drops.serviceNow}`);
    expect(tight.status.serviceNow?.dropped).toBe(drops.serviceNow);
  });
});
