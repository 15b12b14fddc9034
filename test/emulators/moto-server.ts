/**
 * A real moto server (the AWS emulator, DESIGN.md §7) on loopback for the AWS cloud-target tests,
 * bootstrapped so that every request after start-up must carry a valid SigV4 signature made with
 * the returned access key. moto_server comes from scripts/ensure-moto.sh; the bootstrap calls are
 * made by test/emulators/moto-bootstrap.py with the venv's boto3. No vitest: other tiers may use it.
 *
 * Facts found by experiment against moto 5.2.5 (server mode):
 *
 * Authentication. With INITIAL_NO_AUTH_ACTION_COUNT=N moto lets the first N API actions through
 * unchecked and checks every later one. Per moto's source only API actions count (not /moto-api/
 * calls), and POST /moto-api/reset sets the count back to 0, so never reset. moto-bootstrap.py
 * declares N (UNAUTHENTICATED_CALLS / UNSIGNED_CALLS) and startMoto reads it from there: 3 with
 * CreateUser, PutUserPolicy (Action * on Resource *), CreateAccessKey; 4 when the policy is a
 * managed one (CreatePolicy + AttachUserPolicy). Both work.
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
 *   - after `POST /moto-api/config {"stepfunctions": {"execute_state_machine": true}}` (what the
 *     current moto-bootstrap.py does; it must precede CreateStateMachine, because the interpreting
 *     backend keeps its own state machines) moto runs the definition: e.g. Wait 1 s + Pass is RUNNING, then SUCCEEDED after about a second with the
 *     Pass result as `output`; a Fail state gives FAILED at once with its `error`/`cause`; a long
 *     Wait stays RUNNING. StopExecution answers `{}` in this mode.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort } from '../../controller/temporal/dev-server.js';

/** A running, bootstrapped moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:port` */
  endpoint: string;
  /** `127.0.0.1:port` (the Host header). */
  host: string;
  /** Region of the EC2 instance and the state machine (`ap-northeast-1`). */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A running EC2 instance in `region`. */
  instanceId: string;
  /**
   * A Step Functions state machine in `region`. With the bootstrap that turns state machine
   * execution on, its executions SUCCEED after about a second with output {"result": "done"};
   * otherwise they stay RUNNING (see above).
   */
  stateMachineArn: string;
  /** When the bootstrap provides it: executions FAIL at once (error JobFailed, cause "failed on purpose"). */
  failingStateMachineArn?: string;
  /** When the bootstrap provides it: executions stay RUNNING for an hour (StopExecution, timeouts). */
  waitingStateMachineArn?: string;
  stop(): Promise<void>;
}

const region = 'ap-northeast-1';
const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const bootstrapScript = path.join(import.meta.dirname, 'moto-bootstrap.py');

/**
 * How moto-bootstrap.py is called and how many unsigned calls it makes (its UNAUTHENTICATED_CALLS
 * or UNSIGNED_CALLS constant, read from the script so the two cannot drift). The script is
 * called either as `bootstrap ENDPOINT` (when it has that sub-command) or as `ENDPOINT REGION`.
 */
export function bootstrapContract(): { unsignedCalls: number; args(endpoint: string): string[] } {
  const source = readFileSync(bootstrapScript, 'utf8');
  const match = /^(?:UNAUTHENTICATED_CALLS|UNSIGNED_CALLS) = (\d+)$/m.exec(source);
  if (!match) throw new Error(`${bootstrapScript} defines neither UNAUTHENTICATED_CALLS nor UNSIGNED_CALLS`);
  const subcommand = source.includes('sys.argv[1] == "bootstrap"');
  return { unsignedCalls: Number(match[1]), args: (endpoint) => (subcommand ? ['bootstrap', endpoint] : [endpoint, region]) };
}

/** Path of moto_server, installing moto into .tools/moto-venv once when needed. */
export function motoServerPath(): string {
  const result = spawnSync('bash', [path.join(projectRoot, 'scripts', 'ensure-moto.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error('moto_server is not available (see the message above)');
  return result.stdout.trim().split('\n').pop()!;
}

async function listening(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface BootstrapResult {
  accessKeyId: string;
  secretAccessKey: string;
  instanceId: string;
  stateMachineArn: string;
  failingStateMachineArn?: string;
  waitingStateMachineArn?: string;
}

async function bootstrap(python: string, args: string[]): Promise<BootstrapResult> {
  const child = spawn(python, [bootstrapScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`moto-bootstrap.py exited with ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout) as BootstrapResult;
}

/**
 * Starts moto_server on a free loopback port and bootstraps it (IAM user with an allow-all policy
 * and an access key, one running EC2 instance, Step Functions state machine(s)). From then on moto accepts only
 * requests signed with the returned key. Takes a few seconds (boto3 start-up dominates).
 */
export async function startMoto(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const executable = motoServerPath();
  const python = path.join(path.dirname(executable), 'python');
  const contract = bootstrapContract();
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const endpoint = `http://${host}`;
  const child: ChildProcess = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(contract.unsignedCalls) },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    while (!(await listening(port))) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`moto_server on ${host} did not listen in time: ${stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result = await bootstrap(python, contract.args(endpoint));
    return {
      endpoint,
      host,
      region,
      accessKeyId: result.accessKeyId,
      secretAccessKey: result.secretAccessKey,
      instanceId: result.instanceId,
      stateMachineArn: result.stateMachineArn,
      ...(result.failingStateMachineArn !== undefined ? { failingStateMachineArn: result.failingStateMachineArn } : {}),
      ...(result.waitingStateMachineArn !== undefined ? { waitingStateMachineArn: result.waitingStateMachineArn } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
