/**
 * What the responses of REST calls mean (R-REST-1, R-REST-4..6): the exit code of an exchange
 * that brought no usable response, the format a content type stands for — JSON (including the AWS
 * `application/x-amz-json-*` protocol types and `+json` types), XML (`application/xml`,
 * `text/xml`, `+xml`), anything else opaque — the output section WOI prints for a response, and
 * key extraction with the grammar of `extract-key.ts`. The REST activities send the calls and
 * read the bodies (`activities/rest/`).
 *
 * Pure and sandbox-safe: no Node built-ins, no I/O.
 */
import { evaluateExtractKey, formatExtractedValue, parseExtractKey } from './extract-key.js';
import { restExitCodes, restMessages, type RestRequestType } from './rest-messages.js';

/** What came back from a call. Header names are lower case. */
export type HttpExchange =
  | { kind: 'response'; status: number; headers: Record<string, string>; contentType: string; body: string }
  | { kind: 'timeout' }
  | { kind: 'network'; detail: string }
  | { kind: 'cancelled' };

/** A failed step of a REST job: the exit code and message that end the job. */
export interface StepFailure {
  exitCode: number;
  message: string;
}

/** The failure an exchange that brought no usable response stands for (R-REST-1), or undefined for a 2xx. */
export function exchangeFailure(
  exchange: HttpExchange,
  type: RestRequestType,
  timeoutSeconds: number,
): StepFailure | undefined {
  switch (exchange.kind) {
    case 'timeout':
      return { exitCode: restExitCodes.timedOut, message: restMessages.timedOut(type, timeoutSeconds) };
    case 'network':
      return { exitCode: restExitCodes.requestFailed, message: restMessages.networkIssue(type, exchange.detail) };
    case 'cancelled':
      return { exitCode: restExitCodes.requestFailed, message: restMessages.requestIssue(type, 'cancelled') };
    case 'response':
      if (exchange.status < 200 || exchange.status > 299) {
        return { exitCode: restExitCodes.requestFailed, message: restMessages.httpFailed(type, exchange.status) };
      }
      return undefined;
  }
}

/** A response body as read for key extraction. */
export type ResponseDocument =
  | { kind: 'json'; value: unknown }
  | { kind: 'xml'; value: unknown }
  | { kind: 'invalid'; format: 'JSON' | 'XML' }
  | { kind: 'empty' }
  | { kind: 'other'; mediaType: string };

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The format a media type is read as (R-REST-5); undefined for a body kept opaque. */
export function responseFormatOf(mediaType: string): 'JSON' | 'XML' | undefined {
  if (
    mediaType === 'application/json' ||
    mediaType.endsWith('+json') ||
    mediaType.startsWith('application/x-amz-json-')
  )
    return 'JSON';
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml')) return 'XML';
  return undefined;
}

/**
 * The lines WOI prints for one response (R-REST-6), `prefix` being `Http` (the request) or
 * `ChkResultHttp` (the last poll): status, headers as a JSON object, and the body — JSON pretty
 * printed, XML as received (it is already in `<…>`), the placeholder text for an invalid body, and
 * no body line for other content types or an empty body.
 */
export function formatResponseSection(
  prefix: 'Http' | 'ChkResultHttp',
  status: number,
  headers: Record<string, string>,
  body: string,
  document: ResponseDocument,
): string {
  const lines = [`${prefix}StatusCode=${status}`, `${prefix}ResHeader=${JSON.stringify(headers, null, 2)}`];
  switch (document.kind) {
    case 'json':
      lines.push(`${prefix}ResBody=${JSON.stringify(document.value, null, 2)}`);
      break;
    case 'xml':
      lines.push(`${prefix}ResBody=${body.trim()}`);
      break;
    case 'invalid':
      lines.push(`${prefix}ResBody="The response is not a valid ${document.format} response"`);
      break;
    case 'empty':
    case 'other':
      break;
  }
  return lines.join('\n');
}

/** A value taken from a response, or why not (exit code and message). */
export type Extraction = { ok: true; value: string } | { ok: false; exitCode: number; message: string };

/**
 * Extracts the value at `key` (after substitution) from a response (R-REST-4). `parameter` names
 * what the key is for in messages (a takeover or variable name, `pollingEndKey`, `checkResultKey`):
 * 8 when the body has no such key or cannot be searched, 2 when the key itself is malformed.
 */
export function extractValue(document: ResponseDocument, key: string, parameter: string): Extraction {
  const parsed = parseExtractKey(key);
  if (!parsed.ok) {
    return {
      ok: false,
      exitCode: restExitCodes.badParameter,
      message: restMessages.invalidParameter(parameter, `${parsed.message} at offset ${parsed.offset}`),
    };
  }
  switch (document.kind) {
    case 'json':
    case 'xml': {
      const found = evaluateExtractKey(parsed.steps, document.value);
      if (found.found) return { ok: true, value: formatExtractedValue(found.value) };
      return {
        ok: false,
        exitCode: restExitCodes.unparsable,
        message: restMessages.keyNotFound(parameter, `nothing at ${found.at}`),
      };
    }
    case 'invalid':
      return {
        ok: false,
        exitCode: restExitCodes.unparsable,
        message: restMessages.keyNotFound(parameter, `the response is not a valid ${document.format} response`),
      };
    case 'empty':
      return {
        ok: false,
        exitCode: restExitCodes.unparsable,
        message: restMessages.keyNotFound(parameter, 'the response has no body'),
      };
    case 'other':
      return {
        ok: false,
        exitCode: restExitCodes.unparsable,
        message: restMessages.keyNotFound(
          parameter,
          `a ${document.mediaType} response cannot be searched for keys; only JSON and XML can`,
        ),
      };
  }
}

/**
 * Extracts every entry of a `takeoverKeys`/`jobnetValKeys` map; stops at the first failure.
 */
export function extractAll(
  document: ResponseDocument,
  keys: Record<string, string> | undefined,
): { ok: true; values: Record<string, string> } | { ok: false; exitCode: number; message: string } {
  const values: Record<string, string> = {};
  for (const [name, key] of Object.entries(keys ?? {})) {
    const extracted = extractValue(document, key, name);
    if (!extracted.ok) return extracted;
    values[name] = extracted.value;
  }
  return { ok: true, values };
}
