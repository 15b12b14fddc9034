/**
 * A real moto server (the AWS emulator, CONTRIBUTING.md#testing-tiers) on loopback for the AWS cloud-target tests,
 * bootstrapped so that every request after start-up must carry a valid SigV4 signature made with
 * the returned access key. moto_server comes from scripts/ensure-moto.sh; the bootstrap calls are
 * made by test/emulators/moto-bootstrap.py with the venv's boto3. No vitest: other tiers may use it.
 *
 * Facts found by experiment against moto 5.2.5 (server mode):
 *
 * Authentication. With INITIAL_NO_AUTH_ACTION_COUNT=N moto lets the first N API actions through
 * unchecked and checks every later one. Per moto's source only API actions count (not /moto-api/
 * calls), and POST /moto-api/reset sets the count back to 0, so never reset. moto-bootstrap.py
 * declares N (UNAUTHENTICATED_CALLS) and startMoto reads it from there: 3, for CreateUser,
 * PutUserPolicy (Action * on Resource *), CreateAccessKey (a managed policy would take 4:
 * CreatePolicy + AttachUserPolicy). The bootstrap then checks that a dummy key is refused.
 * After that:
 *   - no Authorization header at all: moto routes the request (EC2 Query API with
 *     `Action=…&Version=2016-11-15` in the form body is recognised) but its auth check raises
 *     KeyError('Authorization'), so the answer is **500** with an HTML error page, not 403;
 *   - EC2 Query API, wrong secret or unknown access key: **401** `<ErrorResponse><Errors><Error>
 *     <Code>AuthFailure</Code>…` (content type text/html);
 *   - JSON services (Step Functions), wrong secret: **403** `<ErrorResponse>…<Code>SignatureDoesNotMatch`
 *     (XML even for a JSON-protocol service);
 *   - requests are routed by the credential scope of the Authorization header (service `ec2`,
 *     `states`), so any Host (127.0.0.1:port) works; sign for the region in the scope.
 *   - the EC2 Query API may be POSTed as a form body or sent as a GET with the parameters in the
 *     (signed) query string; moto checks both.
 *
 * EC2 Query API (POST / form body `Action=X&Version=2016-11-15&InstanceId.1=i-…`, answers
 * `text/xml`, namespace http://ec2.amazonaws.com/doc/2016-11-15):
 *   - StartInstances → `StartInstancesResponse/instancesSet/item/{instanceId, currentState/{code,name},
 *     previousState/{code,name}}`; currentState is always `pending` (0), previousState the real
 *     state (`stopped` 80, or `running` 16 when it already ran).
 *   - StopInstances → `StopInstancesResponse/instancesSet/item/…`, currentState always `stopping`
 *     (64), previousState `running` (16) or `stopped` (80).
 *   - DescribeInstances → `DescribeInstancesResponse/reservationSet/item/instancesSet/item/
 *     instanceState/name` (and `/code`); the transition is immediate: right after Stop it says
 *     `stopped` (with stateReason/code `Client.UserInitiatedShutdown`), right after Start `running`.
 *     moto never reports pending/stopping in DescribeInstances.
 *   - DescribeInstanceStatus → `instanceStatusSet/item/instanceState/name`.
 *   - Unknown instance → HTTP 400 `<Response><Errors><Error><Code>InvalidInstanceID.NotFound`.
 *
 * Step Functions (JSON 1.0: POST / with `X-Amz-Target: AWSStepFunctions.<Op>`,
 * `Content-Type: application/x-amz-json-1.0`, signed for service `states`; successful answers have
 * content type `application/x-amz-json-1.0`, errors `application/json` with HTTP 400,
 * header `X-Amzn-ErrorType` and body `{"__type": "ExecutionDoesNotExist", "message": …}`):
 *   - StartExecution `{stateMachineArn, name?, input?}` → `{executionArn, startDate}` (startDate in
 *     epoch seconds, fractional). The same name with the same input while that execution is
 *     RUNNING is idempotent (200, the same executionArn); a different input, or the same name after
 *     the execution finished → 400 `ExecutionAlreadyExists`. In execute_state_machine mode (below)
 *     moto 5.2.5 names a nameless execution `None` (ARN ending in `:None`), so a second nameless
 *     start of the same state machine collides: always send a unique `name`.
 *   - DescribeExecution `{executionArn}` → `{executionArn, stateMachineArn, name, status, startDate,
 *     input, stopDate?, output?, error?, cause?}`.
 *   - StopExecution `{executionArn, error?, cause?}` → DescribeExecution then says `ABORTED` with a
 *     stopDate (error/cause are not echoed).
 *   Two modes:
 *   - default (static data): the definition is never run and
 *     every execution stays `RUNNING` until StopExecution (which answers `{stopDate}`).
 *     SF_EXECUTION_HISTORY_TYPE=FAILURE in the server's environment makes new executions start as
 *     `FAILED` instead; otherwise that variable only picks the canned GetExecutionHistory events
 *     (SUCCESS, the default, or FAILURE).
 *   - after `POST /moto-api/config {"stepfunctions": {"execute_state_machine": true}}` (what
 *     moto-bootstrap.py does; it must precede CreateStateMachine, because the interpreting
 *     backend keeps its own state machines) moto runs the definition: Wait 1 s + Pass
 *     (`stateMachineArn`) is RUNNING, then SUCCEEDED after about a second with the Pass result as
 *     `output`; a Fail state (`failingStateMachineArn`) gives FAILED at once with its
 *     `error`/`cause`; a long Wait (`waitingStateMachineArn`) stays RUNNING. StopExecution answers
 *     `{}` in this mode.
 *
 * describeInstanceState/executionStatus ask moto through boto3 (moto-bootstrap.py `call`), not
 * through the product's SigV4 code, so test assertions do not share code with what they check.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../controller/temporal/dev-server.js';
import { startLoopbackProcess } from './loopback-process.js';

/** A running, bootstrapped moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:port` */
  endpoint: string;
  /** `127.0.0.1:port` (the Host header). */
  host: string;
  /** Region of the EC2 instance and the state machines (`ap-northeast-1`). */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A running EC2 instance in `region`. */
  instanceId: string;
  /** State machine whose executions are RUNNING for about a second, then SUCCEED with output {"result": "done"}. */
  stateMachineArn: string;
  /** State machine whose executions FAIL at once (error JobFailed, cause "failed on purpose"). */
  failingStateMachineArn: string;
  /** State machine whose executions stay RUNNING for an hour (for StopExecution and timeouts). */
  waitingStateMachineArn: string;
  /**
   * One boto3 call signed with the bootstrap key, e.g. `call('ec2', 'describe_instances', {InstanceIds: [id]})`
   * (snake_case operation, boto3 parameter names). AWS errors come back as `{ok: false, …}`;
   * throws only when the script itself fails.
   */
  call(service: string, operation: string, params?: Record<string, unknown>): Promise<AwsCallResult>;
  /** EC2 state name (`running`, `stopped`, …) of `instanceId` (default: the bootstrap instance). Throws on an AWS error. */
  describeInstanceState(instanceId?: string): Promise<string>;
  /** Step Functions execution status (`RUNNING`, `SUCCEEDED`, `FAILED`, `ABORTED`, …). Throws on an AWS error. */
  executionStatus(executionArn: string): Promise<string>;
  stop(): Promise<void>;
}

/** What moto-bootstrap.py `call` prints. */
export type AwsCallResult =
  { ok: true; result: Record<string, unknown> } | { ok: false; status: number; code?: string; message?: string };

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const bootstrapScript = path.join(import.meta.dirname, 'moto-bootstrap.py');
const run = promisify(execFile);

/** How many unsigned calls moto-bootstrap.py makes (its UNAUTHENTICATED_CALLS constant, read from the script so the two cannot drift). */
export function unauthenticatedBootstrapCalls(): number {
  const match = /^UNAUTHENTICATED_CALLS = (\d+)$/m.exec(readFileSync(bootstrapScript, 'utf8'));
  if (!match) throw new Error(`${bootstrapScript} does not define UNAUTHENTICATED_CALLS`);
  return Number(match[1]);
}

/** Path of moto_server, installing moto into .tools/moto-venv once when needed. Throws with the script's message. */
export function motoServerPath(): string {
  const result = spawnSync('bash', [path.join(projectRoot, 'scripts', 'ensure-moto.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error('moto_server is not available (see the message above)');
  return result.stdout.trim().split('\n').pop()!;
}

/** What moto-bootstrap.py prints: the server's account, resources and key. */
type BootstrapResult = Pick<
  MotoServer,
  | 'region'
  | 'accessKeyId'
  | 'secretAccessKey'
  | 'instanceId'
  | 'stateMachineArn'
  | 'failingStateMachineArn'
  | 'waitingStateMachineArn'
>;

/** Environment for the venv's python: no proxy for loopback, no AWS settings of the caller. */
function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...extra,
  };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'])
    delete env[name];
  return env;
}

async function runScript(python: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    return (await run(python, [bootstrapScript, ...args], { env, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`moto-bootstrap.py ${args[0]} failed: ${stderr.trim().slice(-4000)}`, { cause: error });
  }
}

/**
 * Starts moto_server on a free loopback port and bootstraps it (IAM user with an allow-all policy
 * and an access key, one running EC2 instance, three state machines, state machine execution on).
 * From then on moto accepts only requests signed with the returned key. Takes a few seconds
 * (boto3 start-up dominates). Throws (after stopping the server) when moto does not start or the
 * bootstrap fails.
 */
export async function startMoto(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const executable = motoServerPath();
  const python = path.join(path.dirname(executable), 'python');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const endpoint = `http://${host}`;
  const { stop } = await startLoopbackProcess('moto_server', executable, ['-H', '127.0.0.1', '-p', String(port)], {
    port,
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(unauthenticatedBootstrapCalls()) },
    ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
  });
  try {
    const result = JSON.parse(await runScript(python, ['bootstrap', endpoint], pythonEnv())) as BootstrapResult;
    const callEnv = pythonEnv({ AWS_ACCESS_KEY_ID: result.accessKeyId, AWS_SECRET_ACCESS_KEY: result.secretAccessKey });
    const call = async (
      service: string,
      operation: string,
      params: Record<string, unknown> = {},
    ): Promise<AwsCallResult> =>
      JSON.parse(
        await runScript(python, ['call', endpoint, service, operation, JSON.stringify(params)], callEnv),
      ) as AwsCallResult;
    const succeeded = async (
      service: string,
      operation: string,
      params: Record<string, unknown>,
    ): Promise<Record<string, unknown>> => {
      const answer = await call(service, operation, params);
      if (!answer.ok)
        throw new Error(
          `${service} ${operation} answered ${answer.status} ${answer.code ?? ''}: ${answer.message ?? ''}`,
        );
      return answer.result;
    };
    return {
      endpoint,
      host,
      ...result,
      call,
      async describeInstanceState(instanceId = result.instanceId) {
        const answer = (await succeeded('ec2', 'describe_instances', { InstanceIds: [instanceId] })) as {
          Reservations: { Instances: { State: { Name: string } }[] }[];
        };
        const state = answer.Reservations[0]?.Instances[0]?.State.Name;
        if (state === undefined) throw new Error(`DescribeInstances did not list ${instanceId}`);
        return state;
      },
      async executionStatus(executionArn) {
        return ((await succeeded('stepfunctions', 'describe_execution', { executionArn })) as { status: string })
          .status;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
