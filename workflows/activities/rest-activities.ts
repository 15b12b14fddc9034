/**
 * The REST job's I/O (R-REST, docs/architecture.md#jobs-inside-a-run): three activities the REST job
 * workflow code drives.
 *
 * - `restRequest` sends the request at most once and extracts takeover values and variables. It
 *   marks "sending" on the server (a heartbeat RPC it awaits) before the request leaves. An
 *   attempt lost before that — a task dispatched to a worker that never ran it, a worker that died
 *   resolving secrets — is tried again by the workflow's retry policy, and sends; an attempt that
 *   finds its predecessor's mark ends the job with 239 instead of sending again.
 * - `restPoll` sends one poll per attempt. A poll that has not seen the end value fails with a
 *   benign, retryable failure, and Temporal's retry policy (fixed `pollingInterval`,
 *   `maximumAttempts` = `pollingCount`) sends the next one: the poll count lives in the server as
 *   the attempt number, so a worker restart neither resets it nor adds history events. The last
 *   allowed poll returns exhaustion (6) itself, with its response in the output.
 * - `restTerminate` sends the termination request with the same mark, and an attempt that finds
 *   it reports the outcome as unknown instead of sending again.
 *
 * Both send at most once, and exactly once unless the worker dies between the server recording the
 * mark and the request leaving — the return leg of one loopback or LAN round trip (R-REST-3).
 *
 * Secrets are resolved here and nowhere else (R-CRED-4); whatever these activities return, throw
 * or log — response sections, takeover values, variables, messages, failures — has every form of
 * every resolved secret value replaced by `***` (R-SEC-1, `lib/secret-redaction.ts`): a service
 * may echo a secret escaped or encoded, and all of it reaches Temporal history.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  ApplicationFailure,
  ApplicationFailureCategory,
  CancelledFailure,
  defaultPayloadConverter,
} from '@temporalio/common';
import type { RestCallSpec, RestRequestSpec } from '../lib/job-specs.js';
import { prepareCall } from '../lib/rest-call.js';
import { schedulerExitCodes } from '../lib/exit-classification.js';
import {
  pollNotFinishedType,
  requestNotMarkedType,
  restExitCodes,
  restMessages,
  type RestRequestType,
} from '../lib/rest-messages.js';
import {
  exchangeFailure,
  extractAll,
  extractValue,
  formatResponseSection,
  type HttpExchange,
  type ResponseDocument,
  type StepFailure,
} from '../lib/rest-response.js';
import { createSecretRedactor, redactValues, type Redactor } from '../lib/secret-redaction.js';
import { substituteVariables, type VariableSources } from '../lib/variable-references.js';
import type {
  RestCallInput,
  RestJobIdentity,
  RestPollOutcome,
  RestRequestOutcome,
  RestTerminationOutcome,
} from './activity.types.js';
import { readResponseDocument } from './rest/read-response.js';
import { AuthenticationError, prepareAuthentication, type RestAuthentication } from './rest/rest-authentication.js';
import { sendCall } from './rest/send-call.js';

/** Heartbeat details of the request and termination activities: set just before the request leaves. */
interface SendProgress {
  phase: 'sending';
}

const sendHeartbeatMs = 5_000;

/**
 * The heartbeats of an activity that sends a request it must never send twice, from its first
 * step (resolving secrets, fetching a token) to the end of the send, every 5 s.
 *
 * With the worker's client each beat is the heartbeat RPC itself, awaited before the next, so the
 * server always holds the details of the last beat recorded, and {@link markSending} returns only
 * once the server holds the "sending" mark. The SDK's own heartbeat could not do this: it is sent
 * asynchronously and throttled, so there is no knowing when the mark is durable, nor that a later
 * beat has not replaced it with older details. Without a client (tests that call an activity
 * directly) the SDK's heartbeat is all there is.
 */
function sendHeartbeats(client: Client | undefined) {
  const context = Context.current();
  let details: SendProgress | undefined;
  let last: Promise<void> = Promise.resolve();
  const record = async (recorded: SendProgress | undefined): Promise<void> => {
    if (client === undefined) {
      context.heartbeat(recorded);
      return;
    }
    await client.workflowService.recordActivityTaskHeartbeat({
      taskToken: context.info.taskToken,
      namespace: client.options.namespace,
      identity: client.options.identity,
      ...(recorded !== undefined ? { details: { payloads: [defaultPayloadConverter.toPayload(recorded)] } } : {}),
    });
  };
  const beat = (): Promise<void> => {
    const recorded = details;
    const current = last.then(() => record(recorded));
    last = current.catch(() => undefined);
    return current;
  };
  // A periodic beat that fails is only late: the next one tries again within the heartbeat timeout.
  const timer = setInterval(() => void beat().catch(() => undefined), sendHeartbeatMs);
  return {
    /** Records the "sending" mark; false when the server's answer did not confirm it. */
    async markSending(): Promise<boolean> {
      details = { phase: 'sending' };
      try {
        await beat();
        return true;
      } catch (error) {
        context.log.warn('the server did not confirm the "sending" mark', {
          error: error instanceof Error ? error.message : String(error),
        });
        return false;
      }
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await last;
    },
  };
}

/** Whether an earlier attempt of this activity marked "sending": it may have sent, so this one must not. */
function earlierAttemptSending(): boolean {
  return (Context.current().info.heartbeatDetails as SendProgress | undefined)?.phase === 'sending';
}

/**
 * When one poll of a REST job began against its due instant: the time its attempt was scheduled
 * (for the first poll, when the workflow asked for it after `firstMonitorInterval`; for the next
 * ones, the end of the retry interval). Lateness is the worker being busy or absent.
 */
export interface RestPollTiming {
  project: string;
  jobnet: string;
  lateSeconds: number;
}

/** A termination request that failed (0635–0638), for the job management log. */
export interface TerminationFailure {
  identity: RestJobIdentity;
  /** Execution run id of the run workflow: with the job, the event's id. */
  runExecutionId: string;
  message: string;
  at: number;
}

/**
 * The REST activities; with the worker's client, the request and the termination confirm their
 * "sending" mark before sending; `onPoll` hears the timing of each poll (metrics).
 */
export function createRestActivities(
  options: {
    client?: Client;
    onPoll?: (timing: RestPollTiming) => void;
    onTerminationFailed?: (failure: TerminationFailure) => Promise<void>;
  } = {},
) {
  const onPoll = options.onPoll;
  return {
    restRequest: (input: RestCallInput) => restRequest(input, options.client),
    restPoll: async (input: RestCallInput) => {
      if (onPoll !== undefined) {
        const due = Context.current().info.currentAttemptScheduledTimestampMs;
        onPoll({
          project: input.identity.project,
          jobnet: input.identity.jobnet,
          lateSeconds: Math.max(0, Date.now() - due) / 1000,
        });
      }
      return await restPoll(input);
    },
    restTerminate: async (input: RestCallInput) => {
      const outcome = await restTerminate(input, options.client);
      if (outcome.result !== 'sent' && options.onTerminationFailed !== undefined) {
        const context = Context.current();
        await options
          .onTerminationFailed({
            identity: input.identity,
            runExecutionId: context.info.workflowExecution?.runId ?? input.identity.runId,
            message: outcome.message,
            at: Date.now(),
          })
          .catch((error: unknown) => {
            context.log.warn('the termination failure could not be handed to the job management log', {
              error: error instanceof Error ? error.message : String(error),
            });
          });
      }
      return outcome;
    },
  };
}

const noRedaction: Redactor = (text) => text;

/**
 * Resolves the credential, substitutes and authorizes one call; with the redactor of every secret
 * resolved (an OAuth2 token included, as it is fetched by `authorize`).
 */
async function readyCall(
  input: RestCallInput,
  call: RestCallSpec,
  type: RestRequestType,
  withTakeover: boolean,
): Promise<
  | {
      ok: true;
      redact: Redactor;
      sources: VariableSources;
      prepared: Awaited<ReturnType<RestAuthentication['authorize']>>;
    }
  | ({ ok: false; redact: Redactor } & StepFailure)
> {
  let authentication: RestAuthentication;
  try {
    authentication = await prepareAuthentication(input.spec.credential);
  } catch (error) {
    if (error instanceof AuthenticationError)
      return { ok: false, exitCode: error.exitCode, message: error.message, redact: noRedaction };
    throw error;
  }
  const sources: VariableSources = {
    credentialKeys: authentication.keys,
    definitionVariables: input.sources.definitionVariables,
    jobnetVariables: input.sources.jobnetVariables,
    parameter: input.sources.parameter,
    ...(withTakeover ? { takeoverValues: input.takeoverValues } : {}),
  };
  const prepared = prepareCall(call, sources, type);
  if (!prepared.ok)
    return {
      ok: false,
      exitCode: prepared.exitCode,
      message: prepared.message,
      redact: createSecretRedactor(authentication.secrets),
    };
  try {
    const authorized = await authentication.authorize(prepared.call, input.spec.request.timeout);
    return { ok: true, redact: createSecretRedactor(authentication.secrets), sources, prepared: authorized };
  } catch (error) {
    if (error instanceof AuthenticationError)
      return {
        ok: false,
        exitCode: error.exitCode,
        message: error.message,
        redact: createSecretRedactor(authentication.secrets),
      };
    throw redactedFailure(error, createSecretRedactor(authentication.secrets));
  }
}

function responseParts(
  exchange: HttpExchange,
  prefix: 'Http' | 'ChkResultHttp',
): { section?: string; document: ResponseDocument } {
  if (exchange.kind !== 'response') return { document: { kind: 'empty' } };
  const document = readResponseDocument(exchange.contentType, exchange.body);
  return {
    section: formatResponseSection(prefix, exchange.status, exchange.headers, exchange.body, document),
    document,
  };
}

/** Keeps every secret out of what leaves the activity. */
function redacted<
  T extends {
    section?: string;
    message?: string;
    variables?: Record<string, string>;
    takeoverValues?: Record<string, string>;
  },
>(outcome: T, redact: Redactor): T {
  const result = { ...outcome };
  if (result.section !== undefined) result.section = redact(result.section);
  if (result.message !== undefined) result.message = redact(result.message);
  if (result.variables !== undefined) result.variables = redactValues(result.variables, redact);
  if (result.takeoverValues !== undefined) result.takeoverValues = redactValues(result.takeoverValues, redact);
  return result;
}

/**
 * An error thrown out of an activity as a failure without secrets: its message (and so its stack
 * line) redacted, its details and cause dropped, as all of them are written to history and the
 * worker's log. A cancellation is passed on as it is: it carries no text of ours.
 */
function redactedFailure(error: unknown, redact: Redactor): unknown {
  if (error instanceof CancelledFailure) return error;
  const message = redact(error instanceof Error ? error.message : String(error));
  if (error instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message,
      type: error.type ?? 'Error',
      nonRetryable: error.nonRetryable === true,
      ...(error.category != null ? { category: error.category } : {}),
    });
  }
  return ApplicationFailure.create({ message, type: error instanceof Error ? error.name : 'Error' });
}

/** Runs the part of an activity that has a response, throwing only redacted failures. */
async function withRedactedFailures<T>(redact: Redactor, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw redactedFailure(error, redact);
  }
}

async function restRequest(input: RestCallInput, client: Client | undefined): Promise<RestRequestOutcome> {
  const { request } = input.spec;
  if (earlierAttemptSending())
    return {
      exitCode: schedulerExitCodes.environmentStopped,
      message: restMessages.requestLost,
      takeoverValues: {},
      variables: {},
    };
  const heartbeats = sendHeartbeats(client);
  try {
    return await sendRequest(input, request, heartbeats);
  } finally {
    await heartbeats.stop();
  }
}

async function sendRequest(
  input: RestCallInput,
  request: RestRequestSpec,
  heartbeats: ReturnType<typeof sendHeartbeats>,
): Promise<RestRequestOutcome> {
  const ready = await readyCall(input, request, 'request', false);
  if (!ready.ok)
    return redacted(
      { exitCode: ready.exitCode, message: ready.message, takeoverValues: {}, variables: {} },
      ready.redact,
    );
  // Nothing has been sent yet, so an attempt that cannot leave its mark fails and the next one
  // (the workflow's retry policy) starts over.
  if (!(await heartbeats.markSending()))
    throw ApplicationFailure.retryable(
      'the server did not confirm that the request is being sent, so it was not sent',
      requestNotMarkedType,
    );
  const { redact } = ready;
  return await withRedactedFailures(redact, async () => {
    const exchange = await sendCall(ready.prepared, request.timeout);
    const { section, document } = responseParts(exchange, 'Http');
    const base = { ...(section !== undefined ? { section } : {}), takeoverValues: {}, variables: {} };
    const failure = exchangeFailure(exchange, 'request', request.timeout);
    if (failure !== undefined) return redacted({ ...base, ...failure }, redact);
    const takeover = extractAll(document, request.takeoverKeys);
    if (!takeover.ok) return redacted({ ...base, exitCode: takeover.exitCode, message: takeover.message }, redact);
    const variables = extractAll(document, request.jobnetValKeys);
    if (!variables.ok) return redacted({ ...base, exitCode: variables.exitCode, message: variables.message }, redact);
    return redacted(
      { ...base, exitCode: restExitCodes.normal, takeoverValues: takeover.values, variables: variables.values },
      redact,
    );
  });
}

async function restPoll(input: RestCallInput): Promise<RestPollOutcome> {
  const monitoring = input.spec.monitoring;
  const context = Context.current();
  const polls = context.info.attempt;
  if (monitoring === undefined) {
    return {
      exitCode: restExitCodes.internalError,
      message: restMessages.internalError('restPoll called for a job without monitoring'),
      variables: {},
      polls,
    };
  }
  const timeoutSeconds = input.spec.request.timeout;
  const ready = await readyCall(input, monitoring, 'monitoring', true);
  if (!ready.ok)
    return redacted({ exitCode: ready.exitCode, message: ready.message, variables: {}, polls }, ready.redact);
  const { redact } = ready;
  return await withRedactedFailures(redact, async () => {
    const exchange = await sendCall(ready.prepared, timeoutSeconds, context.cancellationSignal);
    const { section, document } = responseParts(exchange, 'ChkResultHttp');
    const base = { ...(section !== undefined ? { section } : {}), variables: {}, polls };
    const failure = exchangeFailure(exchange, 'monitoring', timeoutSeconds);
    if (failure !== undefined) return redacted({ ...base, ...failure }, redact);

    const endKey = substitutedKey(monitoring.pollingEndKey, 'monitoring.pollingEndKey', ready.sources);
    if (!endKey.ok) return redacted({ ...base, ...endKey }, redact);
    const end = extractValue(document, endKey.key, 'pollingEndKey');
    if (!end.ok) return redacted({ ...base, exitCode: end.exitCode, message: end.message }, redact);
    if (!monitoring.pollingEndVal.includes(end.value)) {
      if (monitoring.pollingCount > 0 && polls >= monitoring.pollingCount) {
        return redacted(
          { ...base, exitCode: restExitCodes.pollingExhausted, message: restMessages.pollingExhausted(polls) },
          redact,
        );
      }
      // Retried by the poll's retry policy; the last such failure is written to history (in the
      // event of the attempt that ends the polls), so the value in it is redacted like the output.
      throw ApplicationFailure.create({
        type: pollNotFinishedType,
        message: redact(`poll ${polls}: pollingEndKey is ${JSON.stringify(end.value)}, not one of the end values yet`),
        category: ApplicationFailureCategory.BENIGN,
      });
    }

    const checkKey = substitutedKey(monitoring.checkResultKey, 'monitoring.checkResultKey', ready.sources);
    if (!checkKey.ok) return redacted({ ...base, ...checkKey }, redact);
    const check = extractValue(document, checkKey.key, 'checkResultKey');
    if (!check.ok) return redacted({ ...base, exitCode: check.exitCode, message: check.message }, redact);
    const variables = extractAll(document, monitoring.jobnetValKeys);
    if (!(monitoring.checkResultVal ?? []).includes(check.value)) {
      return redacted(
        {
          ...base,
          ...(variables.ok ? { variables: variables.values } : {}),
          exitCode: restExitCodes.resultNotNormal,
          message: restMessages.resultNotNormal(check.value),
        },
        redact,
      );
    }
    if (!variables.ok) return redacted({ ...base, exitCode: variables.exitCode, message: variables.message }, redact);
    return redacted({ ...base, exitCode: restExitCodes.normal, variables: variables.values }, redact);
  });
}

/** An extract key with its `<name>` takeover values (and variables) substituted. */
function substitutedKey(
  key: string,
  field: string,
  sources: VariableSources,
): { ok: true; key: string } | ({ ok: false } & StepFailure) {
  const substituted = substituteVariables(key, sources, { field });
  return substituted.ok ? { ok: true, key: substituted.text } : substituted;
}

async function restTerminate(input: RestCallInput, client: Client | undefined): Promise<RestTerminationOutcome> {
  const termination = input.spec.termination;
  const { project, jobnet } = input.identity;
  const context = Context.current();
  const log = (outcome: RestTerminationOutcome): RestTerminationOutcome => {
    const fields = { project, jobnet, runId: input.identity.runId, job: input.identity.job };
    if (outcome.result === 'sent') context.log.info(outcome.message, fields);
    else context.log.error(outcome.message, fields);
    return outcome;
  };
  if (termination === undefined)
    return {
      result: 'failed',
      message: restMessages.internalError('restTerminate called for a job without termination'),
    };
  if (earlierAttemptSending()) {
    return log({
      result: 'unknown',
      message: restMessages.terminationIssue(
        project,
        jobnet,
        'the worker sending the termination request stopped during the send; it is not sent again',
      ),
    });
  }
  const heartbeats = sendHeartbeats(client);
  let exchange: HttpExchange;
  try {
    const ready = await readyCall(input, termination, 'termination', true);
    if (!ready.ok)
      return log({
        result: 'failed',
        message: ready.redact(restMessages.terminationIssue(project, jobnet, ready.message)),
      });
    // The request leaves only once the server has the mark, so a worker that dies during the send
    // leaves the mark its successor must see. An unconfirmed mark is logged and the request sent
    // anyway: a termination sent late beats one not sent (R-REST-3).
    await heartbeats.markSending();
    // The outcome names status codes only, never the response: nothing of it needs redacting.
    exchange = await withRedactedFailures(ready.redact, () => sendCall(ready.prepared, input.spec.request.timeout));
  } finally {
    await heartbeats.stop();
  }
  switch (exchange.kind) {
    case 'timeout':
      return log({ result: 'failed', message: restMessages.terminationTimedOut(project, jobnet) });
    case 'network':
    case 'cancelled':
      return log({ result: 'failed', message: restMessages.terminationNetworkIssue(project, jobnet) });
    case 'response':
      if (exchange.status < 200 || exchange.status > 299) {
        return log({
          result: 'failed',
          status: exchange.status,
          message: restMessages.terminationHttpFailed(exchange.status, project, jobnet),
        });
      }
      return log({
        result: 'sent',
        status: exchange.status,
        message: `termination request sent: HTTP ${exchange.status}`,
      });
  }
}
