/**
 * The delivery activities (docs/incidents.md, docs/logging.md): the hand-over of a jobnet actor's
 * items (stdout JSON lines, then `signalWithStart` of the deployment's delivery workflow), the
 * ServiceNow incidents (exactly once by correlation id, the number told back to the actor), the
 * log batches to Azure Monitor and webhooks, and the failure-streak notices.
 *
 * Credentials are resolved here, on the worker, when a delivery needs them (R-CRED-4), through
 * the REST job's authentication (Basic, `azuread` tokens cached per credential); every failure
 * text is scrubbed of the values resolved, so no secret reaches history or status.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { registerIncident } from '../../controller/incidents/servicenow-client.js';
import { mailNotice, postNotice } from '../../controller/incidents/delivery-notice.js';
import { sendToAzureMonitor } from '../../controller/logs/azure-monitor-client.js';
import { postSigned } from '../../controller/logs/log-webhook-client.js';
import { printLogEvents } from '../../controller/logs/stdout-log.js';
import {
  deliveryEnqueueSignal,
  incidentRegisteredSignal,
  type DeliveryEnqueue,
  type DeliveryInput,
} from '../delivery-contract.js';
import type { CompiledWebhookTarget } from '../lib/delivery-config.js';
import type { AttemptOutcome } from '../lib/delivery-sink.js';
import { incidentRecordOf } from '../lib/incident-record.js';
import type { RestCredential } from '../lib/job-specs.js';
import { deliveryWorkflowId, workflowTypes } from '../lib/wire-contract.js';
import type {
  DeliverIncidentsRequest,
  DeliverLogsRequest,
  DeliveryActivities,
  EnqueueDeliveriesRequest,
  IncidentOutcome,
  SendNoticeRequest,
} from './delivery.types.js';
import { AuthenticationError, prepareAuthentication, type RestAuthentication } from './rest/rest-authentication.js';
import { resolveCredentialKey } from './rest/secret-values.js';

/** Incidents created at once within one batch. */
const incidentConcurrency = 8;
/** Webhook posts at once within one batch. */
const webhookConcurrency = 8;

export function createDeliveryActivities(options: { client: Client; taskQueue: string }): DeliveryActivities {
  const { client, taskQueue } = options;

  async function enqueueDeliveries(request: EnqueueDeliveriesRequest): Promise<void> {
    printLogEvents(request.items.logs);
    const input: DeliveryInput = { deployment: request.deployment };
    const signalArgs: [DeliveryEnqueue] = [request.items];
    await client.workflow.signalWithStart(workflowTypes.delivery, {
      workflowId: deliveryWorkflowId(request.deployment),
      taskQueue,
      args: [input],
      signal: deliveryEnqueueSignal,
      signalArgs,
    });
  }

  async function deliverIncidents(request: DeliverIncidentsRequest): Promise<IncidentOutcome[]> {
    let authorization: { header: string; auth: RestAuthentication };
    try {
      authorization = await authorizationOf(request.serviceNow.credential, request.serviceNow.instanceUrl);
    } catch (error) {
      const failure = credentialFailure(error);
      return request.incidents.map((queued) => ({ occurrenceId: queued.item.occurrenceId, ...failure }));
    }
    const outcomes: IncidentOutcome[] = [];
    await eachConcurrently(request.incidents, incidentConcurrency, async (queued) => {
      const record = incidentRecordOf(queued.item, queued.impact, queued.urgency);
      const outcome = await registerIncident(
        { instanceUrl: request.serviceNow.instanceUrl, authorization: authorization.header },
        record,
      );
      Context.current().heartbeat();
      if (!outcome.ok) {
        outcomes.push({
          occurrenceId: queued.item.occurrenceId,
          ...outcome,
          error: scrub(outcome.error, authorization.auth),
        });
        return;
      }
      outcomes.push({ occurrenceId: queued.item.occurrenceId, ...outcome });
      try {
        await client.workflow.getHandle(queued.item.actorId).signal(incidentRegisteredSignal, {
          troubleId: queued.item.troubleId,
          number: outcome.number,
          sysId: outcome.sysId,
        });
      } catch {
        // The jobnet was deleted since: the incident stands, nobody keeps its number.
      }
    });
    return outcomes;
  }

  async function deliverLogs(request: DeliverLogsRequest): Promise<AttemptOutcome> {
    const { target } = request;
    if (target.kind === 'azureMonitor') {
      let token: { header: string; auth: RestAuthentication };
      try {
        token = await authorizationOf(target.sink.credential, target.sink.endpoint);
      } catch (error) {
        return credentialFailure(error);
      }
      const outcome = await sendToAzureMonitor(target.sink, token.header.replace(/^Bearer /, ''), request.events, () =>
        Context.current().heartbeat(),
      );
      return outcome.ok ? outcome : { ...outcome, error: scrub(outcome.error, token.auth) };
    }
    let prepared: PreparedHook;
    try {
      prepared = await prepareHook(target.sink);
    } catch (error) {
      return credentialFailure(error);
    }
    let failed: AttemptOutcome | undefined;
    await eachConcurrently(request.events, webhookConcurrency, async (event) => {
      if (failed !== undefined) return;
      const outcome = await postSigned(
        {
          url: target.sink.url,
          id: event.id,
          payload: JSON.stringify({ type: 'jobnet.log', data: event }),
          headers: prepared.headers,
          ...(prepared.signingSecret !== undefined ? { signingSecret: prepared.signingSecret } : {}),
        },
        `webhook ${target.sink.name}`,
      );
      Context.current().heartbeat();
      if (!outcome.ok) failed ??= outcome;
    });
    return failed ?? { ok: true };
  }

  async function sendDeliveryNotice(request: SendNoticeRequest): Promise<void> {
    const problems: string[] = [];
    const { email, webhooks } = request.notify;
    if (email !== undefined) {
      try {
        let auth: { user: string; pass: string } | undefined;
        const credential = email.smtp.credential;
        if (credential?.type === 'basic') {
          const prepared = await prepareAuthentication(credential);
          const pair = prepared.secrets.at(-1) ?? '';
          const at = pair.indexOf(':');
          auth = { user: pair.slice(0, at), pass: pair.slice(at + 1) };
        }
        await mailNotice(email, auth, request.notice, request.deployment);
      } catch (error) {
        problems.push(`mail: ${(error as Error).message}`);
      }
    }
    for (const hook of webhooks) {
      try {
        const prepared = await prepareHook(hook);
        await postNotice(
          {
            url: hook.url,
            headers: prepared.headers,
            ...(prepared.signingSecret !== undefined ? { signingSecret: prepared.signingSecret } : {}),
          },
          request.notice,
          request.deployment,
        );
      } catch (error) {
        problems.push(`webhook ${hook.url}: ${(error as Error).message}`);
      }
    }
    if (problems.length > 0) throw new Error(`the notice could not be sent: ${problems.join('; ')}`);
  }

  return { enqueueDeliveries, deliverIncidents, deliverLogs, sendDeliveryNotice };
}

/** The Authorization header of a credential for a call to `url`. */
async function authorizationOf(
  credential: RestCredential,
  url: string,
): Promise<{ header: string; auth: RestAuthentication }> {
  const auth = await prepareAuthentication(credential);
  const call = await auth.authorize({ url: new URL(url), method: 'POST', headers: {} }, 30);
  return { header: call.headers.Authorization ?? '', auth };
}

interface PreparedHook {
  headers: Record<string, string>;
  signingSecret?: string;
}

/** Authentication headers and the `webhookSecret` key of a webhook's credential. */
async function prepareHook(hook: CompiledWebhookTarget): Promise<PreparedHook> {
  const headers: Record<string, string> = { ...(hook.headers ?? {}) };
  if (hook.credential === undefined) return { headers };
  const auth = await prepareAuthentication(hook.credential);
  const call = await auth.authorize({ url: new URL(hook.url), method: 'POST', headers }, 30);
  const secret = hook.credential.keys?.webhookSecret;
  const prepared: PreparedHook = { headers: call.headers };
  if (secret !== undefined)
    prepared.signingSecret = (
      await resolveCredentialKey(secret, `credential ${hook.credential.name}: keys.webhookSecret`)
    ).value;
  return prepared;
}

function credentialFailure(error: unknown): Extract<AttemptOutcome, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, configuration: error instanceof AuthenticationError, error: message };
}

/** Removes every resolved secret from a text meant for status. */
function scrub(text: string, auth: RestAuthentication): string {
  let scrubbed = text;
  for (const secret of auth.secrets) if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('***');
  return scrubbed;
}

async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
