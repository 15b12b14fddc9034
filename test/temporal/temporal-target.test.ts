/**
 * Where Temporal is (docs/architecture.md#three-roles-one-state-store): flags over environment over local defaults, TLS files read
 * into connection options, an API key implying TLS, clear errors for unusable settings, and the
 * API key never shown (R-SEC-1). The connection test uses the real dev server of the test run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, inject, it } from 'vitest';
import {
  TemporalTargetError,
  addTemporalOptions,
  connectClient,
  connectionOptionsOf,
  describeTemporalTarget,
  temporalTargetFrom,
  type TemporalFlags,
} from '../../controller/temporal/temporal-target.js';
import { defaultTaskQueue } from '../../workflows/run-contract.js';

const fullEnv = {
  TEMPORAL_ADDRESS: 'env.example:7233',
  TEMPORAL_NAMESPACE: 'env-ns',
  JOBNET_TASK_QUEUE: 'env-queue',
  TEMPORAL_TLS_CA: '/env/ca.pem',
  TEMPORAL_TLS_SERVER_NAME: 'env.server',
  TEMPORAL_API_KEY: 'env-secret-key',
};

/** The flags commander hands to an action for `argv`, with the shared options added. */
function flagsOf(...argv: string[]): TemporalFlags {
  const command = addTemporalOptions(new Command('probe').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts<TemporalFlags>();
}

describe('temporalTargetFrom', () => {
  it('defaults to the local dev server, namespace default and the default task queue, in plain text', () => {
    expect(temporalTargetFrom({}, {})).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: defaultTaskQueue,
    });
  });

  it('reads every setting from the environment when no flag is given', () => {
    expect(temporalTargetFrom({}, fullEnv)).toEqual({
      address: 'env.example:7233',
      namespace: 'env-ns',
      taskQueue: 'env-queue',
      tls: { caPath: '/env/ca.pem', serverName: 'env.server' },
      apiKey: 'env-secret-key',
    });
  });

  it('lets each flag win over its environment variable, and keeps the environment for the others', () => {
    const flags = flagsOf(
      '--address',
      'flag.example:443',
      '--task-queue',
      'flag-queue',
      '--tls-ca',
      '/flag/ca.pem',
      '--api-key',
      'flag-key',
    );
    expect(temporalTargetFrom(flags, fullEnv)).toEqual({
      address: 'flag.example:443',
      namespace: 'env-ns',
      taskQueue: 'flag-queue',
      tls: { caPath: '/flag/ca.pem', serverName: 'env.server' },
      apiKey: 'flag-key',
    });
  });

  it('treats an empty environment variable as unset', () => {
    expect(temporalTargetFrom({}, { TEMPORAL_ADDRESS: '', TEMPORAL_API_KEY: '' })).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: defaultTaskQueue,
    });
  });

  it('turns TLS on with --tls or TEMPORAL_TLS=1, and with an API key', () => {
    expect(temporalTargetFrom(flagsOf('--tls'), {}).tls).toBe(true);
    expect(temporalTargetFrom({}, { TEMPORAL_TLS: '1' }).tls).toBe(true);
    expect(temporalTargetFrom({}, { TEMPORAL_TLS: 'false' }).tls).toBeUndefined();
    expect(temporalTargetFrom({}, { TEMPORAL_API_KEY: 'k' })).toMatchObject({ tls: true, apiKey: 'k' });
  });

  it('refuses a client certificate without its key, and a key without its certificate', () => {
    expect(() => temporalTargetFrom(flagsOf('--tls-cert', '/c.pem'), {})).toThrow(TemporalTargetError);
    expect(() => temporalTargetFrom(flagsOf('--tls-cert', '/c.pem'), {})).toThrow(
      /needs its key \(--tls-key \/ TEMPORAL_TLS_KEY\)/,
    );
    expect(() => temporalTargetFrom({}, { TEMPORAL_TLS_KEY: '/k.pem' })).toThrow(/needs its certificate/);
    expect(temporalTargetFrom(flagsOf('--tls-cert', '/c.pem'), { TEMPORAL_TLS_KEY: '/k.pem' }).tls).toEqual({
      certPath: '/c.pem',
      keyPath: '/k.pem',
    });
  });

  it('refuses a blank address', () => {
    expect(() => temporalTargetFrom({ address: '  ' }, {})).toThrow(
      /address \(--address \/ TEMPORAL_ADDRESS\) is blank/,
    );
  });
});

describe('connectionOptionsOf', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jobnet-tls-'));
  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    writeFileSync(target, text);
    return target;
  };

  it('connects in plain text by default', () => {
    expect(connectionOptionsOf(temporalTargetFrom({}, {}))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('sends an API key over TLS, as Temporal Cloud requires, even for a target built without tls', () => {
    expect(
      connectionOptionsOf({
        address: 'ns.acct.tmprl.cloud:7233',
        namespace: 'ns.acct',
        taskQueue: 'q',
        apiKey: 'secret',
      }),
    ).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: true,
      apiKey: 'secret',
    });
  });

  it('reads the client certificate pair and the CA into the TLS options, with the server name', () => {
    const target = temporalTargetFrom(
      flagsOf(
        '--tls-cert',
        file('client.pem', 'CERT'),
        '--tls-key',
        file('client.key', 'KEY'),
        '--tls-ca',
        file('ca.pem', 'CA'),
        '--tls-server-name',
        'temporal.internal',
      ),
      {},
    );
    const options = connectionOptionsOf(target);
    expect(options.tls).not.toBe(true);
    const tls = options.tls as Exclude<typeof options.tls, true | undefined>;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('CERT');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe('KEY');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe('CA');
    expect(tls.serverNameOverride).toBe('temporal.internal');
  });

  it('names a missing TLS file, and the flag to fix, in a TemporalTargetError', () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const target = temporalTargetFrom({}, { TEMPORAL_TLS_CA: missing });
    expect(() => connectionOptionsOf(target)).toThrow(TemporalTargetError);
    expect(() => connectionOptionsOf(target)).toThrow(
      `cannot read the TLS CA certificate ${missing} (--tls-ca / TEMPORAL_TLS_CA): ENOENT`,
    );
  });
});

describe('describeTemporalTarget', () => {
  it('says where and how it connects without ever showing the API key', () => {
    const target = temporalTargetFrom(flagsOf('--tls-cert', '/c.pem', '--tls-key', '/k.pem'), {
      TEMPORAL_API_KEY: 'very-secret-value',
    });
    const text = describeTemporalTarget(target);
    expect(text).toBe(
      `127.0.0.1:7233, namespace default, task queue ${defaultTaskQueue} (TLS, client certificate, API key)`,
    );
    expect(text).not.toContain('very-secret-value');
    expect(describeTemporalTarget(temporalTargetFrom({}, {}))).toBe(
      `127.0.0.1:7233, namespace default, task queue ${defaultTaskQueue}`,
    );
  });
});

describe('connectClient', () => {
  it("connects a client to the target's namespace and closes it (twice without harm)", async () => {
    const target = temporalTargetFrom(
      { address: inject('temporalAddress'), namespace: inject('temporalNamespace') },
      {},
    );
    const handle = await connectClient(target);
    expect(handle.client.options.namespace).toBe(inject('temporalNamespace'));
    const info = await handle.connection.workflowService.getSystemInfo({});
    expect(info.capabilities).toBeDefined();
    await handle.close();
    await handle.close();
  });
});
