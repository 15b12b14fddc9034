/**
 * Replays the committed histories of representative runs (test/fixtures/run-histories/, recorded
 * by scripts/record-run-histories.ts) and of jobnet actors and the event registry
 * (test/fixtures/actor-histories/, recorded by scripts/record-actor-histories.ts) against the
 * current workflow code, bundled exactly as a
 * worker bundles it. A change that would break running jobnets fails here: it must replay these
 * or go behind `patched()` (CONTRIBUTING.md#8-workflow-code-is-deterministic). Bundling also fails on a sandbox violation.
 * The replays register the workflows' event sink as a worker does, and it hears nothing: the
 * events of replayed history are never emitted again (no metric counted twice).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { jobnetEventSinks } from '../../controller/worker/start-worker.js';
import type { JobnetEvent } from '../../workflows/event-sink-contract.js';
import { sharedBundle } from './run-harness.js';
import { runScenarios } from './run-scenarios.js';

const historyDir = path.resolve(import.meta.dirname, '..', 'fixtures', 'run-histories');
const historyFiles = readdirSync(historyDir)
  .filter((name) => name.endsWith('.json'))
  .sort();
const actorHistoryDir = path.resolve(import.meta.dirname, '..', 'fixtures', 'actor-histories');
const actorHistoryFiles = readdirSync(actorHistoryDir)
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('replay of committed run histories', () => {
  it('has a recorded history for every scenario', () => {
    expect(historyFiles).toEqual(
      runScenarios()
        .map((scenario) => `${scenario.name}.json`)
        .sort(),
    );
  });

  it.each(historyFiles)(
    'replays %s without nondeterminism',
    async (file) => {
      const history: unknown = JSON.parse(readFileSync(path.join(historyDir, file), 'utf8'));
      expect((history as { events: unknown[] }).events.length).toBeGreaterThan(10);
      const emitted: JobnetEvent[] = [];
      await Worker.runReplayHistory(
        { workflowBundle: await sharedBundle(), sinks: jobnetEventSinks({ event: (event) => emitted.push(event) }) },
        history,
        `run/replay/${file.replace(/\.json$/, '')}`,
      );
      expect(emitted).toEqual([]);
    },
    60_000,
  );
});

/**
 * The workflow ids the actor histories were recorded under: an actor derives its runs' ids from
 * its own, so it must be replayed under the id it ran with. The first recordings predate
 * deployment-scoped ids; the later ones (`-2`, and the actors first recorded then) were recorded
 * by the actor whose decisions are the pure machine's (workflows/lib/jobnet-machine.ts).
 */
const recordedActorIds: Record<string, string> = {
  'actor-gated.json': 'jobnet/replay/gated',
  'actor-on-events.json': 'jobnet/replay/on-events',
  'event-registry.json': 'jobnet-registry/record-actor-histories',
  'actor-carried.json': 'jobnet/record-actor-histories/replay/carried',
  'actor-gated-2.json': 'jobnet/record-actor-histories/replay/gated',
  'actor-on-events-2.json': 'jobnet/record-actor-histories/replay/on-events',
  'actor-restored.json': 'jobnet/record-actor-histories/replay/restored',
  'actor-stranded.json': 'jobnet/record-actor-histories/replay/stranded',
  'actor-timed.json': 'jobnet/record-actor-histories/replay/timed',
  'event-registry-2.json': 'jobnet-registry/record-actor-histories',
};

describe('replay of committed jobnet actor and event registry histories', () => {
  it('has the recorded histories of the actors and the registry, old and new', () => {
    expect(actorHistoryFiles).toEqual(Object.keys(recordedActorIds).sort());
  });

  it.each(actorHistoryFiles)(
    'replays %s without nondeterminism',
    async (file) => {
      const history: unknown = JSON.parse(readFileSync(path.join(actorHistoryDir, file), 'utf8'));
      expect((history as { events: unknown[] }).events.length).toBeGreaterThan(20);
      const workflowId = recordedActorIds[file];
      if (workflowId === undefined) throw new Error(`no recorded workflow id for ${file}`);
      const emitted: JobnetEvent[] = [];
      await Worker.runReplayHistory(
        { workflowBundle: await sharedBundle(), sinks: jobnetEventSinks({ event: (event) => emitted.push(event) }) },
        history,
        workflowId,
      );
      expect(emitted).toEqual([]);
    },
    60_000,
  );
});
