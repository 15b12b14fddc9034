/**
 * Pure. Compiles a validated revision's delivery configuration (R-INC-1, R-INC-5, R-LOG-2): the
 * IncidentPolicy (its rules with their defaults filled in, the ServiceNow and notify credentials
 * copied in with their secrets still references) and Settings `logSinks`. The controller applies
 * it with the revision to the deployment's delivery workflow.
 *
 * Several IncidentPolicy documents: the first by name applies (the repository normally has one).
 * No I/O; never resolves a secret.
 */
import type { ValidatedRepository } from '../definitions/validate-repository.js';
import type {
  CompiledIncidentPolicy,
  CompiledIncidentRule,
  CompiledWebhookTarget,
  DeliveryConfig,
  JobnetSelector,
} from '../../workflows/lib/delivery-config.js';
import type { TroubleKind } from '../../workflows/lib/jobnet-state.js';
import type { RestCredential } from '../../workflows/lib/job-specs.js';
import { defaultIncidentRule } from '../../workflows/lib/incident-policy.js';

const troubleKinds: readonly TroubleKind[] = [
  'jobnetAbended',
  'startDelayed',
  'endDelayed',
  'executionRefused',
  'executionSkipped',
  'jobOverrun',
];

interface RuleInput {
  register?: boolean;
  impact?: number;
  urgency?: number;
  include?: { project?: string; jobnet?: string }[];
  exclude?: { project?: string; jobnet?: string }[];
  ignoreOperatorForcedEnd?: boolean;
}

function selectors(list: RuleInput['include']): JobnetSelector[] {
  return (list ?? []).map((entry) => ({ project: entry.project ?? '*', jobnet: entry.jobnet ?? '*' }));
}

function level(value: number | undefined): 1 | 2 | 3 {
  return value === 1 || value === 2 ? value : 3;
}

export function compileIncidentRule(rule: RuleInput | undefined): CompiledIncidentRule {
  if (rule === undefined) return defaultIncidentRule();
  return {
    register: rule.register ?? true,
    impact: level(rule.impact),
    urgency: level(rule.urgency),
    include: rule.include === undefined ? [{ project: '*', jobnet: '*' }] : selectors(rule.include),
    exclude: selectors(rule.exclude),
    ignoreOperatorForcedEnd: rule.ignoreOperatorForcedEnd ?? false,
  };
}

/** The delivery configuration of `repository` at `revision`. */
export function compileDeliveryConfig(repository: ValidatedRepository, revision: string): DeliveryConfig {
  const { index } = repository;
  const credential = (name: string | undefined): RestCredential | undefined => {
    if (name === undefined) return undefined;
    const located = index.credentials.get(name);
    if (located === undefined) return undefined;
    const { memo: _memo, ...spec } = located.value.spec as unknown as { memo?: string } & Record<string, unknown>;
    return { name, ...spec } as RestCredential;
  };
  const config: DeliveryConfig = { revision, logSinks: { webhooks: [] } };
  const [policy] = [...index.incidentPolicies.values()].sort((a, b) =>
    a.value.metadata.name < b.value.metadata.name ? -1 : a.value.metadata.name > b.value.metadata.name ? 1 : 0,
  );
  const spec = policy?.value.spec;
  const serviceNowCredential = credential(spec?.serviceNow?.credential);
  if (policy !== undefined && spec?.serviceNow !== undefined && serviceNowCredential !== undefined) {
    const rules = {} as CompiledIncidentPolicy['rules'];
    const given = (spec.rules ?? {}) as Partial<Record<TroubleKind, RuleInput>>;
    for (const kind of troubleKinds) rules[kind] = compileIncidentRule(given[kind]);
    const notify: CompiledIncidentPolicy['notify'] = { webhooks: [] };
    const email = spec.notify?.email;
    if (email !== undefined) {
      const smtpCredential = credential(email.smtp.credential);
      notify.email = {
        smtp: {
          host: email.smtp.host,
          port: email.smtp.port ?? 587,
          secure: email.smtp.secure ?? false,
          ...(smtpCredential !== undefined ? { credential: smtpCredential } : {}),
        },
        from: email.from,
        to: [...email.to],
      };
    }
    (spec.notify?.webhooks ?? []).forEach((hook, i) => {
      const hookCredential = credential(hook.credential);
      notify.webhooks.push({
        name: `notify-${i + 1}`,
        url: hook.url,
        ...(hookCredential !== undefined ? { credential: hookCredential } : {}),
      });
    });
    config.incidents = {
      name: policy.value.metadata.name,
      serviceNow: { instanceUrl: spec.serviceNow.instanceUrl.replace(/\/+$/, ''), credential: serviceNowCredential },
      rules,
      notify,
    };
  }
  const sinks = index.settings?.value.spec?.logSinks;
  const azure = sinks?.azureMonitor;
  const azureCredential = credential(azure?.credential);
  if (azure !== undefined && azureCredential !== undefined)
    config.logSinks.azureMonitor = {
      endpoint: azure.endpoint,
      ruleId: azure.ruleId,
      stream: azure.stream,
      credential: azureCredential,
    };
  for (const hook of sinks?.webhooks ?? []) {
    const hookCredential = credential(hook.credential);
    const target: CompiledWebhookTarget = { name: hook.name, url: hook.url };
    if (hookCredential !== undefined) target.credential = hookCredential;
    if (hook.headers !== undefined) target.headers = { ...(hook.headers as Record<string, string>) };
    config.logSinks.webhooks.push(target);
  }
  return config;
}
