/**
 * `jobnet start`, `jobnet run <operation>` and `jobnet worker` refuse what they can without
 * Temporal, through the real bin: usage errors exit 2 (R-OPS-7) and invalid definitions exit 1
 * with the same diagnostics as `jobnet validate`, before any connection is tried. TEMPORAL_ADDRESS
 * points at a port nothing listens on, so a connection attempt would show up as a connect error.
 */
import { describe, expect, it } from 'vitest';
import { runJobnet, type CliResult } from './cli-process.js';

const sixMistakes = 'test/fixtures/combined/six-mistakes';
const unreachable = '127.0.0.1:9';

async function jobnet(...args: string[]): Promise<CliResult> {
  return await runJobnet(args, { TEMPORAL_ADDRESS: unreachable });
}

describe('jobnet start', () => {
  it('exits 2 when the jobnet is not written <project>/<jobnet>', async () => {
    for (const reference of ['bad-syntax', 'a/b/c', '/nightly', 'demo/']) {
      const { code, stderr } = await jobnet('start', reference, '--dir', 'examples');
      expect(code, reference).toBe(2);
      expect(stderr).toContain('expected <project>/<jobnet>');
    }
  });

  it('exits 1 with the diagnostics of jobnet validate on stderr, and starts nothing, when the definitions are invalid', async () => {
    const { code, stdout, stderr } = await jobnet('start', 'demo/nightly', '--dir', sixMistakes);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`error[CRED-LITERAL-SECRET] ${sixMistakes}/credentials/servicenow.yaml:9:13`);
    expect(stderr).toContain(`error[DAG-CYCLE] ${sixMistakes}/projects/demo/jobnets/nightly.yaml`);
    expect(stderr).toMatch(/✖ .*6 errors/);
    expect(stderr).toContain(`jobnet: the definitions in ${sixMistakes} have errors; no run was started`);
    expect(stderr).not.toMatch(/connect/i);
  });

  it('exits 1 naming the jobnet when it does not exist in valid definitions, without connecting', async () => {
    const { code, stderr } = await jobnet('start', 'demo/no-such-jobnet', '--dir', 'test/fixtures/valid/minimal');
    expect(code).toBe(1);
    expect(stderr).toContain('no-such-jobnet');
    expect(stderr).not.toMatch(/connect/i);
  });

  it('exits 2 for a directory that does not exist and for a TLS certificate without its key', async () => {
    expect((await jobnet('start', 'demo/hello', '--dir', 'no/such/dir')).code).toBe(2);
    const tls = await jobnet(
      'start',
      'demo/hello',
      '--dir',
      'test/fixtures/valid/minimal',
      '--tls-cert',
      '/tmp/client.pem',
    );
    expect(tls.code).toBe(2);
    expect(tls.stderr).toContain('needs its key (--tls-key / TEMPORAL_TLS_KEY)');
  });
});

describe('jobnet run', () => {
  it('exits 2 when a job operation has no --job', async () => {
    for (const operation of [
      'hold',
      'release',
      'disable',
      'enable',
      'start-from',
      'restart-from',
      'skip',
      'run-only',
    ]) {
      const { code, stderr } = await jobnet('run', operation, 'some-id');
      expect(code, operation).toBe(2);
      expect(stderr).toContain(`run ${operation} needs --job <name>`);
    }
  });

  it('exits 2 when a run-wide operation gets --job, pointing restart at restart-from', async () => {
    const { code, stderr } = await jobnet('run', 'restart', 'some-id', '--job', 'load');
    expect(code).toBe(2);
    expect(stderr).toContain('use restart-from --job');
    expect((await jobnet('run', 'close', 'some-id', '--job', 'load')).code).toBe(2);
  });

  it('exits 2 for an unknown operation or a missing run id', async () => {
    expect((await jobnet('run', 'explode', 'some-id')).code).toBe(2);
    expect((await jobnet('run', 'hold', '--job', 'load')).code).toBe(2);
  });
});

describe('jobnet worker', () => {
  it('exits 2 for a --max-concurrent-activities that is not a positive whole number', async () => {
    const { code, stderr } = await jobnet('worker', '--max-concurrent-activities', '0');
    expect(code).toBe(2);
    expect(stderr).toContain('--max-concurrent-activities must be a whole number of at least 1');
  });

  it('exits 2 for a --max-cached-workflows under 2', async () => {
    const { code, stderr } = await jobnet('worker', '--max-cached-workflows', '1');
    expect(code).toBe(2);
    expect(stderr).toContain('--max-cached-workflows must be a whole number of at least 2');
  });
});
