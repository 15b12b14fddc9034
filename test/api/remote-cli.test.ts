/**
 * The remote CLI (`--server`, `--token`) through the real bin against a real API server on the
 * real dev server: `jobnet ls`, `get jobnet`, the operations and `event raise` print what they
 * print locally, the server records the token's subject, refusals and roles exit 1 with the
 * server's reason, and the token never appears in the output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobnet, type CliResult } from '../cli/cli-process.js';
import { eventually, startApiFixture, type ApiFixture } from './api-fixture.js';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

async function remote(token: string, ...args: string[]): Promise<CliResult> {
  return await runJobnet([...args, '--server', api.server.url], { JOBNET_TOKEN: token });
}

describe('the CLI through --server', () => {
  it('lists and shows jobnets as it does locally', async () => {
    for (const args of [
      ['ls', '--utc'],
      ['ls', '--json'],
      ['get', 'jobnet', 'alpha/manual', '--json'],
      ['get', 'jobnet', 'alpha/on-order', '--utc'],
    ]) {
      const [local, through] = await Promise.all([api.cli(...args), remote('admin-token', ...args)]);
      expect(through.stderr, args.join(' ')).toBe('');
      expect(through.code).toBe(0);
      expect(through.stdout, args.join(' ')).toBe(local.stdout);
    }
    const viewer = await remote('alpha-viewer-token', 'ls', '--json');
    expect((JSON.parse(viewer.stdout) as { project: string }[]).every((row) => row.project === 'alpha')).toBe(true);
  });

  it('operates with the token subject as who, refuses like locally, and reports roles and bad tokens', async () => {
    const held = await remote('alpha-operator-token', 'hold', 'alpha/manual');
    expect(held.stderr).toBe('');
    expect(held.stdout).toMatch(/\njobnet status: held\n$/);
    const again = await remote('alpha-operator-token', 'hold', 'alpha/manual');
    expect(again.code).toBe(1);
    const local = await api.cli('hold', 'alpha/manual');
    expect(again.stderr).toBe(local.stderr);
    const released = await remote('alpha-operator-token', 'release', 'alpha/manual', '--json');
    expect(JSON.parse(released.stdout)).toMatchObject({ ok: true, operation: 'release' });
    const shown = await remote('admin-token', 'get', 'jobnet', 'alpha/manual', '--json');
    const operations = (JSON.parse(shown.stdout) as { state: { operations: { operation: string; by: string }[] } })
      .state.operations;
    expect(operations.map((op) => `${op.operation} ${op.by}`)).toEqual(['hold olga', 'release olga']);

    const viewer = await remote('alpha-viewer-token', 'disable', 'alpha/manual');
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(
      /^jobnet: not allowed: the disable operation needs the operator role on project alpha/,
    );
    const wrong = await remote('secret-wrong-token', 'ls');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('did not accept the token');
    expect(wrong.stderr + wrong.stdout).not.toContain('secret-wrong-token');
    const by = await remote('admin-token', 'hold', 'alpha/manual', '--by', 'mallory');
    expect(by.code).toBe(2);
  });

  it('starts a run and raises an event per jobnet, and names an unreachable server', async () => {
    const started = await remote('alpha-operator-token', 'start', 'alpha/manual', '--param', 'P-9');
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(/^run\//);
    const raised = await remote('alpha-operator-token', 'event', 'raise', 'ORDER', '--project', 'alpha');
    expect(raised.stderr).toBe('');
    expect(raised.stdout).toMatch(/^alpha\/on-order: pending: /);
    const cleared = await remote('alpha-operator-token', 'event', 'clear', '--project', 'alpha', '--json');
    expect(JSON.parse(cleared.stdout)).toMatchObject({ ok: true, results: [{ project: 'alpha', jobnet: 'on-order' }] });
    const unknown = await remote('alpha-operator-token', 'event', 'raise', 'ORDR', '--project', 'alpha');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('refused: no jobnet in project alpha waits for event ORDR (did you mean ORDER?)');

    const down = await runJobnet(['ls', '--server', 'http://127.0.0.1:9'], { JOBNET_TOKEN: 'admin-token' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^jobnet: cannot reach the jobnet server at http:\/\/127\.0\.0\.1:9: /);
  });

  it('lists history, shows a run, operates, retries and cancels runs as it does locally', async () => {
    const started = await remote('alpha-operator-token', 'start', 'alpha/manual');
    const runId = started.stdout.trim();
    await eventually(
      async () => await api.cli('history', 'show', runId),
      (shown) => shown.code === 0 && (JSON.parse(shown.stdout) as { status: string }).status === 'normal',
    );
    for (const args of [
      ['history', '--project', 'alpha', '--json'],
      ['history', '--project', 'alpha', '--utc'],
      ['history', 'show', runId],
    ]) {
      const [local, through] = await Promise.all([api.cli(...args), remote('admin-token', ...args)]);
      expect(through.stderr, args.join(' ')).toBe('');
      expect(through.stdout, args.join(' ')).toBe(local.stdout);
    }
    // A viewer of alpha sees alpha's runs only, and cannot retry or cancel them.
    const beta = await remote('alpha-viewer-token', 'history', '--project', 'beta', '--json');
    expect(JSON.parse(beta.stdout)).toEqual({ runs: [] });
    const retried = await remote('alpha-viewer-token', 'retry', runId);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toMatch(/^jobnet: not allowed: .*operator role on project alpha/);
    // A normal run has nothing to retry: refused as locally.
    const refused = await remote('alpha-operator-token', 'retry', runId);
    const local = await api.cli('retry', runId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(local.stderr);
    const cancelled = await remote('alpha-operator-token', 'cancel', runId, '--json');
    expect(cancelled.stderr).toBe('');
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ ok: true, runId });
    const closed = await remote('alpha-operator-token', 'run', 'close', runId);
    const closedLocally = await api.cli('run', 'close', runId);
    expect(closed.code).toBe(closedLocally.code);
    expect(closed.stderr).toBe(closedLocally.stderr);
  }, 60_000);
});
