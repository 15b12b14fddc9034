/**
 * The WOI user guide's REST service examples (WOI 8.3.1, `test/fixtures/valid/rest-services/`) run against
 * real emulators, through a real `jobnet worker` process whose environment holds the secrets:
 *
 * - Amazon EC2 start/stop (Query API, XML answers) and AWS Step Functions (JSON 1.0 protocol)
 *   against moto in server mode with IAM authentication enforced, signed with AWS Signature V4; a
 *   wrong secret fails the job with 4. The WOI user guide reaches Step Functions through an API Gateway
 *   stage, which moto cannot serve: the jobs call the Step Functions API itself (same bodies,
 *   plus the JSON-protocol headers).
 * - The Blob file wait via an Azure Function (8.3.1.12) with an `azuread` v2-scope credential: the
 *   token comes from a real OAuth2 server (oidc-provider, client credentials), and the function is
 *   a stand-in implementing the WOI user guide's function contract (`option: wait`) in front of Azurite,
 *   which it asks with a container SAS; it accepts only tokens the OAuth server introspects as
 *   active with scope `jobs.run`.
 * - Then the histories of all these runs, plus basic, bearer, scs and others runs, are exported
 *   and searched for every secret value: none is in history, in the worker's log or in an output.
 *
 * Definitions are compiled from the fixture with the real compile step; only the hosts (to the
 * emulators), the intervals (to seconds) and the credentials' references are adapted.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { compileAllJobnets } from '../../controller/compile/compile-jobnet.js';
import { validateRepository } from '../../controller/definitions/validate-repository.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import type { RestCredential, RestSpec } from '../../workflows/lib/job-specs.js';
import { runOperationUpdate, runViewQuery, type RunInput, type RunView } from '../../workflows/run-contract.js';
import { startAzurite, type AzuriteServer } from '../emulators/azurite-server.js';
import { startMoto, type MotoServer } from '../emulators/moto-server.js';
import { jobsRunScope, startOAuthServer, type OAuthServer } from '../emulators/oauth-server.js';
import { jobnetOf, summary } from './run-fixtures.js';
import { startRestTarget, type RestTarget } from './rest-target.js';
import { startWorkerProcess, stopWorkerProcesses, waitForView, workerOutput } from './worker-process.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'valid', 'rest-services');

/** Every secret the worker is given; none may appear in history, logs or outputs. */
const secrets = {
  JOBNET_TEST_AWS_SECRET: '', // set from moto's bootstrap
  JOBNET_TEST_AWS_WRONG_SECRET: 'wrong-secret-access-key-0000000000000000',
  JOBNET_TEST_OAUTH_SECRET: 'oauth-client-secret-7f3a9c',
  JOBNET_TEST_BASIC_PASSWORD: 'basic-password-5d2e8b',
  JOBNET_TEST_BEARER_TOKEN: 'bearer-token-91c4e0a7',
  JOBNET_TEST_SAS_SIG: '', // set from Azurite's SAS
  JOBNET_TEST_OTHERS_KEY: 'others-api-key-3b6f1d',
};

let moto: MotoServer;
let azurite: AzuriteServer;
let oauth: OAuthServer;
let target: RestTarget;
let blobFunction: Server;
let blobFunctionUrl: string;
let worker: ChildProcess;
let connection: Connection;
let client: Client;
let compiled: Map<string, CompiledJobnet>;
const taskQueue = `rest-cloud-${process.pid}-${Date.now()}`;
const runIds: string[] = [];
/** Access tokens the OAuth server issued, captured by the function stand-in. */
const seenTokens = new Set<string>();

beforeAll(async () => {
  [moto, azurite, oauth, target] = await Promise.all([
    startMoto(),
    startAzurite(),
    startOAuthServer({ clientId: 'jobnet-worker', clientSecret: secrets.JOBNET_TEST_OAUTH_SECRET }),
    startRestTarget(),
  ]);
  secrets.JOBNET_TEST_AWS_SECRET = moto.secretAccessKey;
  secrets.JOBNET_TEST_SAS_SIG = azurite.sasQuery.sig ?? '';
  blobFunction = await startBlobFunction();
  const env = {
    ...process.env,
    ...secrets,
    JOBNET_TEST_AWS_KEY_ID: moto.accessKeyId,
    JOBNET_TEST_OAUTH_CLIENT: 'jobnet-worker',
  };
  worker = await startWorkerProcess(inject('temporalAddress'), inject('temporalNamespace'), taskQueue, env);
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });

  const validated = await validateRepository(fixture);
  const all = compileAllJobnets(validated.value, { environment: 'seed' });
  if (!all.ok) throw new Error(all.message);
  compiled = new Map(all.jobnets.map((jobnet) => [jobnet.name, jobnet]));
}, 180_000);

afterAll(async () => {
  await stopWorkerProcesses();
  await connection?.close();
  await Promise.all([moto?.stop(), azurite?.stop(), oauth?.stop(), target?.stop()]);
  await new Promise((resolve) => (blobFunction ? blobFunction.close(resolve) : resolve(undefined)));
});

/**
 * The WOI user guide's Blob-check function (8.3.1.12, `option: wait`): `{result: SUCCEEDED, status: EXIST}`
 * once the blob exists, `{result: WAITING, status: NOT_EXIST}` before. It asks Azurite with the
 * container SAS, and refuses (401) a request without an active `jobs.run` token.
 */
async function startBlobFunction(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const introspection = token === undefined ? undefined : await oauth.introspect(token);
        if (
          token === undefined ||
          introspection?.active !== true ||
          !(introspection.scope ?? '').split(' ').includes(jobsRunScope)
        ) {
          response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
          return;
        }
        seenTokens.add(token);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          containerName: string;
          fileName: string;
          option: string;
        };
        const sas = new URLSearchParams(azurite.sasQuery).toString();
        const head = await fetch(
          `${azurite.blobEndpoint}/${azurite.container}/${encodeURIComponent(body.fileName)}?${sas}`,
          { method: 'HEAD' },
        );
        const exists = head.status === 200;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(
            exists ? { result: 'SUCCEEDED', status: 'EXIST' } : { result: 'WAITING', status: 'NOT_EXIST' },
          ),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  blobFunctionUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chkfile_blob`;
  return server;
}
/** A compiled fixture jobnet with one job's calls sent to `origin` and polls every second. */
function adapted(jobnetName: string, jobName: string, adapt: (spec: RestSpec) => RestSpec): CompiledJobnet {
  const jobnet = compiled.get(jobnetName);
  const job = jobnet?.jobs[jobName];
  if (jobnet === undefined || job === undefined) throw new Error(`${jobnetName}/${jobName} is not in the fixture`);
  if (job.type !== 'rest') throw new Error(`${jobnetName}/${jobName} is a ${job.type} job, not a rest job`);
  const spec = structuredClone(job.spec);
  if (spec.monitoring !== undefined) Object.assign(spec.monitoring, { firstMonitorInterval: 1, pollingInterval: 1 });
  return {
    ...jobnet,
    name: `${jobnetName}-${jobName}`,
    jobs: { [jobName]: { ...job, predecessors: [], spec: adapt(spec) } },
    children: {},
  };
}

function awsCredential(service: string, secretEnv = 'JOBNET_TEST_AWS_SECRET', endpoint = moto.host): RestCredential {
  return {
    name: `moto-${service}`,
    type: 'awssigv4',
    accessKeyId: { secretRef: { env: 'JOBNET_TEST_AWS_KEY_ID' } },
    secretAccessKey: { secretRef: { env: secretEnv } },
    service,
    region: moto.region,
    endpoint,
  };
}

async function run(jobnet: CompiledJobnet, variables: Record<string, string> = {}): Promise<string> {
  const id = `run/services/${jobnet.name}/${taskQueue}/${runIds.length + 1}`;
  const input: RunInput = {
    jobnet: { ...jobnet, variables: { ...(jobnet.variables ?? {}), ...variables } },
    children: {},
    businessDate: '2026-11-23',
    trigger: 'manual',
    requestedBy: 'test',
    level: 1,
  };
  await client.workflow.start('runWorkflow', { workflowId: id, taskQueue, args: [input] });
  runIds.push(id);
  return id;
}

async function ended(id: string): Promise<RunView> {
  return await waitForView(client, id, (view) => view.state.result !== undefined, 90_000);
}

describe('the WOI user guide REST examples against emulators', () => {
  it('stops and starts an EC2 instance through the Query API, reading the XML answers (8.3.1.7)', async () => {
    const toMoto = (spec: RestSpec): RestSpec => {
      spec.request.url = `${moto.endpoint}/`;
      if (spec.monitoring) spec.monitoring.url = `${moto.endpoint}/`;
      spec.credential = awsCredential('ec2');
      return spec;
    };
    const stop = await ended(
      await run(adapted('aws-ec2', 'stop-instances', toMoto), {
        EC2_INSTANCE_ID: moto.instanceId,
        AWS_REGION: moto.region,
      }),
    );
    expect(summary(stop)).toEqual({ '': 'normal', 'stop-instances': 'normal 0' });
    expect(stop.state.jobs['stop-instances']?.output).toMatch(/HttpResBody=<\?xml[\s\S]*<StopInstancesResponse/);
    expect(stop.state.jobs['stop-instances']?.output).toContain('<name>stopped</name>');

    const start = await ended(
      await run(adapted('aws-ec2', 'start-instances', toMoto), {
        EC2_INSTANCE_ID: moto.instanceId,
        AWS_REGION: moto.region,
      }),
    );
    expect(summary(start)).toEqual({ '': 'normal', 'start-instances': 'normal 0' });
    expect(start.state.jobs['start-instances']?.output).toContain('ChkResultHttpResBody=');
    expect(start.state.jobs['start-instances']?.output).toContain('<name>running</name>');
  });

  it('fails with 4 when the signature is made with a wrong secret (moto enforces IAM authentication)', async () => {
    const jobnet = adapted('aws-ec2', 'start-instances', (spec) => {
      spec.request.url = `${moto.endpoint}/`;
      delete spec.monitoring;
      spec.credential = awsCredential('ec2', 'JOBNET_TEST_AWS_WRONG_SECRET');
      return spec;
    });
    const view = await ended(await run(jobnet, { EC2_INSTANCE_ID: moto.instanceId }));
    expect(summary(view)).toEqual({ '': 'abended', 'start-instances': 'abended 4' });
    expect(view.state.jobs['start-instances']?.output).toContain(
      '0609: HTTP request failed. RequestType=request StatusCode=401',
    );
  });

  it('runs a Step Functions execution to SUCCEEDED through start and describe (8.3.1.3)', async () => {
    const view = await ended(await run(stepFunctionsJobnet(moto.stateMachineArn)));
    expect(summary(view)).toEqual({ '': 'normal', 'start-execution': 'normal 0' });
    expect(view.state.jobs['start-execution']?.output).toContain('"status": "SUCCEEDED"');
  });

  it('stops a running Step Functions execution with the termination request when force-terminated (8.3.1.3)', async () => {
    const waiting = moto.waitingStateMachineArn;
    if (waiting === undefined) throw new Error('the moto bootstrap gives no long-running state machine');
    const jobnet = stepFunctionsJobnet(waiting);
    const id = await run(jobnet);
    const polling = await waitForView(
      client,
      id,
      (view) =>
        view.state.result !== undefined ||
        ((view.state.jobs['start-execution']?.state ?? '') === 'running' && runningFor(view) > 3_000),
      60_000,
    );
    expect(polling.state.result, JSON.stringify(polling.state.jobs['start-execution'])).toBeUndefined();
    expect(polling.state.jobs['start-execution']?.state).toBe('running');
    await client.workflow.getHandle(id).executeUpdate(runOperationUpdate, {
      args: [{ operation: 'forceTerminateJob', job: 'start-execution', by: 'dave' }],
    });
    const view = await ended(id);
    expect(summary(view), view.state.jobs['start-execution']?.output).toEqual({
      '': 'abended',
      'start-execution': 'forced 256 operator',
    });
    const output = view.state.jobs['start-execution']?.output ?? '';
    expect(output).toContain('"executionArn": "arn:aws:states:');
    expect(output).toContain('termination request sent: HTTP 200');

    // The execution really was stopped: ask Step Functions with another job of the same credential.
    const executionArn = /"executionArn": "([^"]+)"/.exec(output)?.[1] ?? '';
    const stepFunctions = stepFunctionsHeaders;
    const describe = jobnetOf(`describe-${Date.now()}`, [
      {
        name: 'describe',
        type: 'rest',
        capturePrefix: 'SFN',
        spec: {
          outputLimitBytes: 65536,
          credential: awsCredential('states'),
          request: {
            url: `${moto.endpoint}/`,
            method: 'POST',
            timeout: 10,
            header: stepFunctions('DescribeExecution'),
            body: { executionArn },
            jobnetValKeys: { STATUS: 'status' },
          },
        } satisfies RestSpec,
      },
    ]);
    const described = await ended(await run(describe));
    expect(described.state.variables).toMatchObject({ 'SFN.STATUS': 'ABORTED' });
  });

  it('waits for a blob through the Blob-check function with an OAuth2 v2-scope token, fetching the token once (8.3.1.12)', async () => {
    const jobnet = adapted('azure-blob-file-wait', 'wait-created', (spec) => {
      spec.request.url = blobFunctionUrl;
      spec.monitoring!.url = blobFunctionUrl;
      spec.credential = {
        name: 'Azure-Blob-Functions',
        type: 'azuread',
        clientId: { secretRef: { env: 'JOBNET_TEST_OAUTH_CLIENT' } },
        clientSecret: { secretRef: { env: 'JOBNET_TEST_OAUTH_SECRET' } },
        endpoint: oauth.tokenEndpoint,
        scope: jobsRunScope,
      };
      return spec;
    });
    const tokensBefore = oauth.tokenRequests();
    const id = await run(jobnet);
    await waitForView(
      client,
      id,
      (view) => (view.state.jobs['wait-created']?.state ?? '') === 'running' && runningFor(view) > 3_500,
      60_000,
    );
    await azurite.upload('test1.txt', 'orders');
    const view = await ended(id);
    expect(summary(view)).toEqual({ '': 'normal', 'wait-created': 'normal 0' });
    expect(view.state.jobs['wait-created']?.output).toContain('"result": "SUCCEEDED"');
    // The request and every poll used one cached token.
    expect(oauth.tokenRequests() - tokensBefore).toBe(1);
    expect(seenTokens.size).toBeGreaterThanOrEqual(1);
  });

  it('ends 10 when the token endpoint refuses the client', async () => {
    const jobnet = adapted('azure-blob-file-wait', 'wait-created', (spec) => {
      spec.request.url = blobFunctionUrl;
      spec.credential = {
        name: 'wrong-client',
        type: 'azuread',
        clientId: 'jobnet-worker',
        clientSecret: { secretRef: { env: 'JOBNET_TEST_BASIC_PASSWORD' } },
        endpoint: oauth.tokenEndpoint,
        scope: jobsRunScope,
      };
      return spec;
    });
    const view = await ended(await run(jobnet));
    expect(summary(view)).toEqual({ '': 'abended', 'wait-created': 'abended 10' });
    expect(view.state.jobs['wait-created']?.output).toContain(
      '0609: HTTP request failed. RequestType=authentication StatusCode=401 AuthName=wrong-client',
    );
  });

  it('keeps every secret out of workflow history, the worker log and job outputs, for all six credential types', async () => {
    target.route('POST', '/echo', (request) => ({ body: { headers: request.headers, query: request.query } }));
    const echo = (name: string, credential: RestCredential, query: Record<string, string> = {}) =>
      jobnetOf(`secret-${name}`, [
        {
          name: 'call',
          type: 'rest',
          spec: {
            outputLimitBytes: 65536,
            credential,
            request: {
              url: `${target.url}/echo`,
              method: 'POST',
              timeout: 10,
              query,
              jobnetValKeys: name === 'others' ? { KEY: 'query.key' } : { AUTH: 'headers.authorization' },
            },
          } satisfies RestSpec,
        },
      ]);
    const oauthClient = {
      clientId: { secretRef: { env: 'JOBNET_TEST_OAUTH_CLIENT' } },
      clientSecret: { secretRef: { env: 'JOBNET_TEST_OAUTH_SECRET' } },
      endpoint: oauth.tokenEndpoint,
    };
    const runs = [
      echo('basic', {
        name: 'b',
        type: 'basic',
        user: 'svc',
        password: { secretRef: { env: 'JOBNET_TEST_BASIC_PASSWORD' } },
      }),
      echo('bearer', { name: 'br', type: 'bearer', token: { secretRef: { env: 'JOBNET_TEST_BEARER_TOKEN' } } }),
      echo('scs', { name: 's', type: 'scs', ...oauthClient }),
      echo(
        'others',
        {
          name: 'o',
          type: 'others',
          keys: {
            apiKey: { secretRef: { env: 'JOBNET_TEST_OTHERS_KEY' }, secret: true },
            sig: { secretRef: { env: 'JOBNET_TEST_SAS_SIG' }, secret: true },
          },
        },
        { key: '@apiKey@', sig: '@sig@' },
      ),
      echo('sigv4', awsCredential('execute-api')),
    ];
    // awssigv4 signs for its endpoint; point this one at the echo target.
    const sigv4 = runs[4]!.jobs.call!;
    if (sigv4.type !== 'rest') throw new Error('the echo job is a rest job');
    sigv4.spec.credential = awsCredential('execute-api', 'JOBNET_TEST_AWS_SECRET', new URL(target.url).host);
    for (const jobnet of runs) {
      const view = await ended(await run(jobnet));
      expect(summary(view)).toEqual({ '': 'normal', call: 'normal 0' });
    }
    const sent = target.requests('/echo', 'POST');
    expect(sent.at(-5)?.headers.authorization).toBe(
      `Basic ${Buffer.from(`svc:${secrets.JOBNET_TEST_BASIC_PASSWORD}`).toString('base64')}`,
    );
    expect(sent.at(-4)?.headers.authorization).toBe(`Bearer ${secrets.JOBNET_TEST_BEARER_TOKEN}`);
    expect(sent.at(-3)?.headers.authorization).toMatch(/^Bearer .{20,}/);
    expect(sent.at(-2)?.query).toEqual({ key: secrets.JOBNET_TEST_OTHERS_KEY, sig: secrets.JOBNET_TEST_SAS_SIG });
    expect(sent.at(-1)?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=.+\/execute-api\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=/,
    );

    const issuedToken = sent.at(-3)?.headers.authorization?.slice('Bearer '.length) ?? '';
    const secretValues = [
      ...Object.values(secrets),
      issuedToken,
      ...seenTokens,
      Buffer.from(`svc:${secrets.JOBNET_TEST_BASIC_PASSWORD}`).toString('base64'),
    ].filter((value) => value.length > 0);
    expect(secretValues.length).toBeGreaterThanOrEqual(9);

    const exported: string[] = [];
    for (const id of runIds) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      exported.push(JSON.stringify(history));
      const view = await client.workflow.getHandle(id).query(runViewQuery);
      exported.push(JSON.stringify(view));
    }
    const log = workerOutput(worker);
    expect(exported.length).toBe(runIds.length * 2);
    for (const value of secretValues) {
      for (const text of exported) expect(text.includes(value), `a secret is in a history or run view`).toBe(false);
      expect(log.includes(value), 'a secret is in the worker log').toBe(false);
    }
    // The outputs did see the echoed secrets, redacted.
    const basicView = await client.workflow.getHandle(runIds.at(-5)!).query(runViewQuery);
    expect(basicView.state.jobs.call?.output).toContain('AUTH=Basic ***');
  });
});

const stepFunctionsHeaders = (operation: string) => ({
  'X-Amz-Target': `AWSStepFunctions.${operation}`,
  'Content-Type': 'application/x-amz-json-1.0',
});

/**
 * The WOI user guide's Step Functions job (its API Gateway paths replaced by the Step Functions API itself,
 * which takes the same bodies plus the JSON-protocol headers) for `stateMachineArn`.
 */
function stepFunctionsJobnet(stateMachineArn: string): CompiledJobnet {
  return adapted('aws-step-functions', 'start-execution', (spec) => {
    spec.request.url = `${moto.endpoint}/`;
    spec.request.header = stepFunctionsHeaders('StartExecution');
    spec.request.body = { ...(spec.request.body as object), stateMachineArn, name: `sleep60-${Date.now()}` };
    spec.monitoring = {
      ...spec.monitoring!,
      url: `${moto.endpoint}/`,
      header: stepFunctionsHeaders('DescribeExecution'),
    };
    spec.termination = {
      ...spec.termination!,
      url: `${moto.endpoint}/`,
      header: stepFunctionsHeaders('StopExecution'),
    };
    spec.credential = awsCredential('states');
    return spec;
  });
}

/** Milliseconds the run's first job has been running. */
function runningFor(view: RunView): number {
  const started = Object.values(view.state.jobs)[0]?.startedAt;
  return started === undefined ? 0 : Date.now() - started;
}
