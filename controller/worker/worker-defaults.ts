/**
 * Defaults of the worker's options, apart from start-worker.ts so that the `jobnet worker` command
 * can show them in its help without loading the Temporal worker SDK.
 */

/**
 * The worker's workflow cache when not set: 1,000 workflows. A cached jobnet actor costs the worker
 * ~0.6 MiB (docs/performance.md#idle-jobnet-actors-and-the-workflow-cache), and most actors sleep
 * for hours between starts, so the cache is sized for the workflows that are busy at once (the
 * runs in progress, the actors starting them, delivery) rather than for every actor applied: an
 * idle actor beyond it is evicted and replays its short history when it wakes. The SDK's own
 * default grows with the heap limit (2,310 for a 4 GiB heap) and keeps every actor up to that.
 */
export const defaultMaxCachedWorkflows = 1000;
