/**
 * Sends job management log events to Azure Monitor through the Logs Ingestion API (R-LOG-2):
 * `POST {endpoint}/dataCollectionRules/{ruleId}/streams/{stream}?api-version=2023-01-01` with a
 * bearer token for `https://monitor.azure.com/.default` (given by the caller), a gzip-compressed
 * JSON array of `TimeGenerated, JobnetName, ProjectName, LogLevel, Message` and `EventId` (the
 * event's id, for de-duplication in queries), in requests under 1 MB. 204 is success; 429 brings
 * its `Retry-After`; an error body's `code` is part of the failure shown in status.
 *
 * HTTP I/O with `fetch`; decides nothing beyond what an answer means.
 */
import { gzipSync } from 'node:zlib';
import type { CompiledAzureMonitorSink } from '../../workflows/lib/delivery-config.js';
import type { AttemptOutcome } from '../../workflows/lib/delivery-sink.js';
import type { LogEvent } from '../../workflows/lib/log-events.js';
import { retryAfterOf } from '../incidents/servicenow-client.js';

/** One row of the custom table. */
export interface AzureLogRow {
  TimeGenerated: string;
  JobnetName: string;
  ProjectName: string;
  LogLevel: string;
  Message: string;
  EventId: string;
}

export function azureRowOf(event: LogEvent): AzureLogRow {
  return {
    TimeGenerated: new Date(event.at).toISOString(),
    JobnetName: event.jobnet,
    ProjectName: event.project,
    LogLevel: event.level,
    Message: event.message,
    EventId: event.id,
  };
}

/** Uncompressed bytes of one request at most (the API takes 1 MB). */
export const maxRequestBytes = 900_000;

/** Splits rows into JSON arrays of at most `limit` bytes each. */
export function chunkRows(rows: readonly AzureLogRow[], limit = maxRequestBytes): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    const bytes = Buffer.byteLength(text, 'utf8') + 1;
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(text);
    size += bytes;
  }
  if (current.length > 0) chunks.push(`[${current.join(',')}]`);
  return chunks;
}

export async function sendToAzureMonitor(
  sink: CompiledAzureMonitorSink,
  token: string,
  events: readonly LogEvent[],
  onChunkSent: (sent: number) => void = () => undefined,
): Promise<AttemptOutcome> {
  const url = new URL(
    `${sink.endpoint.replace(/\/+$/, '')}/dataCollectionRules/${encodeURIComponent(sink.ruleId)}/streams/${encodeURIComponent(sink.stream)}`,
  );
  url.searchParams.set('api-version', '2023-01-01');
  let sent = 0;
  for (const chunk of chunkRows(events.map(azureRowOf))) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        body: gzipSync(Buffer.from(chunk, 'utf8')),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return {
        ok: false,
        configuration: false,
        error: `Azure Monitor ${url.host} ${timedOut ? 'did not answer in time' : 'cannot be reached'}`,
      };
    }
    const text = await response.text().catch(() => '');
    if (response.status === 204 || response.status === 200) {
      sent += 1;
      onChunkSent(sent);
      continue;
    }
    const code = errorCodeOf(text);
    const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
    return {
      ok: false,
      configuration:
        response.status === 400 || response.status === 401 || response.status === 403 || response.status === 404,
      error: `Azure Monitor answered HTTP ${response.status}${code !== '' ? ` ${code}` : ''}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { ok: true };
}

/** `{"error": {"code", "message"}}` of the Logs Ingestion API. */
function errorCodeOf(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : '';
    const message = typeof body.error?.message === 'string' ? body.error.message : '';
    return [code, message].filter((part) => part !== '').join(': ');
  } catch {
    return '';
  }
}
