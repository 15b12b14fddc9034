/**
 * Temporal's answers as the controller, the CLI and the activities read them: a rejected Update
 * carries its validator's reason, a missing workflow is told apart, anything else is a failure.
 * The errors are the SDK's own classes, built as the client builds them.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { isWorkflowNotFound, refusalReason, updateRefusalReason } from '../../workflows/lib/temporal-refusals.js';

const refused = new WorkflowUpdateFailedError(
  'Workflow Update failed',
  ApplicationFailure.create({ message: 'the jobnet is already held' }),
);
const notFound = new WorkflowNotFoundError('workflow not found', 'jobnet/q/ops/nightly', undefined);

describe('Temporal refusals', () => {
  it("a rejected Update is refused with its validator's reason", () => {
    expect(updateRefusalReason(refused)).toBe('the jobnet is already held');
    expect(refusalReason(refused)).toBe('the jobnet is already held');
    expect(refusalReason(refused, 'not running')).toBe('the jobnet is already held');
    expect(updateRefusalReason(new WorkflowUpdateFailedError('Workflow Update failed', undefined))).toBe(
      'Workflow Update failed',
    );
  });

  it('a workflow that does not run is a refusal only when the caller names one', () => {
    expect(isWorkflowNotFound(notFound)).toBe(true);
    expect(refusalReason(notFound)).toBeUndefined();
    expect(refusalReason(notFound, 'its workflow is not running')).toBe('its workflow is not running');
    expect(updateRefusalReason(notFound)).toBeUndefined();
  });

  it('anything else is a failure', () => {
    for (const error of [new Error('connection refused'), 'text', undefined]) {
      expect(isWorkflowNotFound(error)).toBe(false);
      expect(refusalReason(error, 'x')).toBeUndefined();
    }
  });
});
