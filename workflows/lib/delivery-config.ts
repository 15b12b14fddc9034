/**
 * The delivery configuration of a revision (R-INC-1, R-INC-5, R-LOG-2): the IncidentPolicy (the
 * ServiceNow connection, the rules by trouble kind, whom to notify) and the log sinks of Settings,
 * compiled by the controller (controller/incidents/compile-delivery.ts) and applied with the
 * revision to the deployment's delivery workflow.
 *
 * Credentials travel as in compiled jobnets: with their secrets still references, resolved by the
 * worker's one secret reader when a delivery needs them (R-CRED-4). Nothing here is a secret.
 *
 * Pure types: no I/O.
 */
import type { TroubleKind } from './jobnet-state.js';
import type { RestCredential } from './job-specs.js';

/** Project and jobnet name patterns (R-INC-1). */
export interface JobnetSelector {
  project: string;
  jobnet: string;
}

/** A rule with its defaults filled in (R-INC-1). */
export interface CompiledIncidentRule {
  register: boolean;
  impact: 1 | 2 | 3;
  urgency: 1 | 2 | 3;
  include: JobnetSelector[];
  exclude: JobnetSelector[];
  /** `jobnetAbended` only (R-INC-4). */
  ignoreOperatorForcedEnd: boolean;
}

export interface CompiledServiceNow {
  /** Base URL, without a trailing slash. */
  instanceUrl: string;
  credential: RestCredential;
}

export interface CompiledEmailNotify {
  smtp: { host: string; port: number; secure: boolean; credential?: RestCredential };
  from: string;
  to: string[];
}

export interface CompiledWebhookTarget {
  /** Unique among the targets of its list; shown in status. */
  name: string;
  url: string;
  credential?: RestCredential;
  headers?: Record<string, string>;
}

export interface CompiledIncidentPolicy {
  /** `IncidentPolicy` name. */
  name: string;
  serviceNow: CompiledServiceNow;
  rules: Record<TroubleKind, CompiledIncidentRule>;
  notify: { email?: CompiledEmailNotify; webhooks: CompiledWebhookTarget[] };
}

export interface CompiledAzureMonitorSink {
  endpoint: string;
  ruleId: string;
  stream: string;
  credential: RestCredential;
}

export interface CompiledLogSinks {
  azureMonitor?: CompiledAzureMonitorSink;
  webhooks: CompiledWebhookTarget[];
}

/** What the controller applies to the delivery workflow with each revision. */
export interface DeliveryConfig {
  revision: string;
  /** Omitted: no IncidentPolicy, no incidents are created. */
  incidents?: CompiledIncidentPolicy;
  logSinks: CompiledLogSinks;
}

/** The sink names shown in status: `serviceNow`, `azureMonitor`, `webhook:<name>`. */
export type SinkName = string;

export const serviceNowSink = 'serviceNow';
export const azureMonitorSink = 'azureMonitor';

export function webhookSinkName(name: string): SinkName {
  return `webhook:${name}`;
}

/** The log sinks a configuration has, by status name. */
export function logSinkNames(config: DeliveryConfig): SinkName[] {
  const names: SinkName[] = [];
  if (config.logSinks.azureMonitor !== undefined) names.push(azureMonitorSink);
  for (const hook of config.logSinks.webhooks) names.push(webhookSinkName(hook.name));
  return names;
}
