/**
 * History retention against a real namespace (R-OPS-5): the controller reads the retention of the
 * dev server's namespace and, checking only (any cluster), warns in its status while the
 * namespace keeps finished runs for less time than Settings `history.retention` — and not when it
 * keeps them longer; applying (`jobnet up`'s own dev server), it sets the namespace to the
 * Settings value. The pure decision is tested alongside.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decideRetention, retentionSecondsOf } from '../../controller/reconcile/history-retention.js';
import { Reconciler } from '../../controller/reconcile/reconciler.js';
import { renderControllerStatus } from '../../controller/reconcile/render-status.js';
import { DirectorySource } from '../../controller/source/directory-source.js';
import { namespaceRetentionSeconds, setNamespaceRetention } from '../../controller/temporal/namespace-retention.js';
import { connectClient, type TemporalClientHandle } from '../../controller/temporal/temporal-target.js';

const day = 86_400;

describe('the retention decision', () => {
  it('reads Settings history.retention, 31 days without one', () => {
    expect(retentionSecondsOf(undefined)).toBe(31 * day);
    expect(retentionSecondsOf({ history: { retention: '62d' } })).toBe(62 * day);
  });

  it('warns only when the namespace keeps less, and updates only when applying', () => {
    expect(decideRetention('check', 'default', day, 31 * day).warning).toMatch(
      /^Temporal namespace default keeps finished runs for 1d, less than Settings history\.retention 31d/,
    );
    expect(decideRetention('check', 'default', 90 * day, 31 * day)).toEqual({ update: false });
    expect(decideRetention('check', 'default', undefined, 31 * day)).toEqual({ update: false });
    expect(decideRetention('apply', 'default', 90 * day, 31 * day)).toEqual({ update: true });
    expect(decideRetention('apply', 'default', 31 * day, 31 * day)).toEqual({ update: false });
  });
});

describe('the namespace retention', () => {
  let handle: TemporalClientHandle;
  let dir: string;
  let before: number | undefined;
  const taskQueue = `retention-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    handle = await connectClient({
      address: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      taskQueue,
    });
    before = await namespaceRetentionSeconds(handle.client);
    dir = await mkdtemp(path.join(tmpdir(), 'jobnet-retention-'));
  });

  afterAll(async () => {
    if (before !== undefined) await setNamespaceRetention(handle.client, before);
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function reconcileWith(retention: string, mode: 'apply' | 'check') {
    await writeFile(
      path.join(dir, 'jobnet.yaml'),
      `apiVersion: jobnet/v1\nkind: Settings\nmetadata:\n  name: settings\nspec:\n  history:\n    retention: ${retention}\n`,
    );
    const reconciler = new Reconciler({
      client: handle.client,
      taskQueue,
      source: new DirectorySource(dir),
      retention: mode,
      resyncIntervalMs: 0,
    });
    // No worker polls the task queue, so apply fails (NoWorker); the retention does not depend on it.
    await reconciler.reconcile();
    await reconciler.stop();
    return reconciler.getStatus();
  }

  it('the dev server keeps closed workflows for one day unless told otherwise', () => {
    // `temporal server start-dev` registers its namespace with a 24 h retention.
    expect(before).toBe(day);
  });

  it('warns while the namespace keeps less than the Settings, and applies the Settings value when told to', async () => {
    await setNamespaceRetention(handle.client, day);
    const short = await reconcileWith('45d', 'check');
    expect(short.retentionWarning).toMatch(/keeps finished runs for 1d, less than Settings history\.retention 45d/);
    expect(renderControllerStatus(short)).toContain(`warning:    ${short.retentionWarning ?? ''}`);
    expect(await namespaceRetentionSeconds(handle.client)).toBe(day);

    const longer = await reconcileWith('12h', 'check');
    expect(longer.retentionWarning).toBeUndefined();

    const applied = await reconcileWith('45d', 'apply');
    expect(applied.retentionWarning).toBeUndefined();
    expect(await namespaceRetentionSeconds(handle.client)).toBe(45 * day);
  });
});
