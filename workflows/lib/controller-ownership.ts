/**
 * Ownership of a deployment by one GitOps controller. Two controllers reconciling the same
 * deployment (task queue) would apply their revisions in turn and the jobnets would flip-flop, so
 * a controller claims the deployment in its event registry at start and renews the claim while it
 * runs; a claim by another controller is refused while the owner's lease runs.
 *
 * Pure and sandbox-safe: the registry workflow decides with it on workflow time.
 */

/** The controller that reconciles a deployment. */
export interface ControllerOwner {
  /** Unique per controller process: host, pid and a random part. */
  id: string;
  host: string;
  pid: number;
  /** What it reconciles (the source), for the refusal message. */
  source: string;
  /** Workflow time (ms) of the first claim and of the latest renewal. */
  since: number;
  renewedAt: number;
  /** The claim lapses this long after the latest renewal. */
  leaseMs: number;
}

/** A controller claims (or renews its claim on) the deployment. */
export type ControllerClaim = Pick<ControllerOwner, 'id' | 'host' | 'pid' | 'source' | 'leaseMs'>;

/** Why `claim` must be refused at workflow time `now` given the current `owner`, or undefined. */
export function controllerClaimRefusal(
  owner: ControllerOwner | undefined,
  claim: ControllerClaim,
  now: number,
): string | undefined {
  if (owner === undefined || owner.id === claim.id || now - owner.renewedAt >= owner.leaseMs) return undefined;
  const since = new Date(owner.since).toISOString();
  return `another controller owns this deployment: ${owner.source} on ${owner.host} (pid ${owner.pid}), since ${since}; stop it, or give this controller another --task-queue`;
}
