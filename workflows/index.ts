/**
 * The workflows a jobnet worker registers (its `workflowsPath`): the run interpreter and the
 * resource locks, with how each follows a rollout of new code (versioning.ts). Workflow code only.
 */
import './versioning.js';

export { runWorkflow } from './run-workflow.js';
export { resourceLockWorkflow } from './resource-lock-workflow.js';
export { jobnetActorWorkflow } from './jobnet-actor-workflow.js';
export { eventRegistryWorkflow } from './event-registry-workflow.js';
export { deliveryWorkflow } from './delivery-workflow.js';
