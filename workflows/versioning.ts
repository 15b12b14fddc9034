/**
 * How each workflow follows a rollout of new workflow code under Worker Versioning
 * (docs/operations.md#rolling-out-new-workflow-code). Workers started with a deployment name and a
 * build id default to PINNED: a run finishes on the build it started on, so a run's code never
 * changes under it. The long-lived workflows — jobnet actors, the event registry, resource locks —
 * would otherwise hold an old build forever; they are AUTO_UPGRADE (declared only on versioned workers): at their next workflow task
 * after the current build changes they replay on the new build, which is safe because their
 * changes go behind `patched()` and the replay tests guard them, and their continue-as-new keeps
 * what is replayed short. On unversioned workers these declarations change nothing.
 *
 * Workflow code only (imported by workflows/index.ts).
 */
import type { WorkflowDefinitionOptions } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { eventRegistryWorkflow } from './event-registry-workflow.js';
import { jobnetActorWorkflow } from './jobnet-actor-workflow.js';
import { resourceLockWorkflow } from './resource-lock-workflow.js';

/**
 * AUTO_UPGRADE on a versioned worker; nothing on an unversioned one, which refuses a workflow
 * that declares a versioning behaviour. Runs need no declaration: the worker's default is PINNED.
 */
function autoUpgrade(): WorkflowDefinitionOptions {
  return workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {};
}

setWorkflowOptions(autoUpgrade, jobnetActorWorkflow);
setWorkflowOptions(autoUpgrade, eventRegistryWorkflow);
setWorkflowOptions(autoUpgrade, resourceLockWorkflow);
