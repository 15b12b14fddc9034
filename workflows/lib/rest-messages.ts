/**
 * Exit codes and messages of the REST job (R-EXIT-3, WOI 8.1.1 and the adapter messages of WOI
 * 9.2.2), shared by the REST activities (which produce them) and the run workflow (which adds the
 * ones about worker loss). Messages keep WOI's numbers and wording, so an operator who knows
 * `0609` or `0615` reads them the same way here.
 *
 * No message produced here contains a secret: callers pass names of fields, credentials and
 * references, status codes and extracted response values only (R-CRED-4).
 *
 * Sandbox-safe: no Node built-ins, no I/O.
 */

/** Exit codes of the REST job (R-EXIT-3). */
export const restExitCodes = {
  normal: 0,
  /** A connection-info value is wrong at run time (a bad URL after substitution, a GET with a body). */
  badParameter: 2,
  /** Network error or a non-2xx status. */
  requestFailed: 4,
  timedOut: 5,
  /** `pollingCount` polls were sent and the end value never came. */
  pollingExhausted: 6,
  /** The work finished, but the value at `checkResultKey` is not in `checkResultVal`. */
  resultNotNormal: 7,
  /** A response could not be parsed, or a key was not found in it. */
  unparsable: 8,
  /** A credential could not be obtained (missing secret, token endpoint failure). */
  credentialUnavailable: 10,
  internalError: 99,
} as const;

/**
 * Failure type of a request attempt that ended before sending, because the server did not confirm
 * its "sending" mark; the request activity's retry policy tries again.
 */
export const requestNotMarkedType = 'RestRequestNotMarked';

/** Failure type of a poll that has not seen the end value yet; the poll activity's retry policy polls again. */
export const pollNotFinishedType = 'RestPollNotFinished';

/** Which call of the job a message is about (WOI `RequestType`). */
export type RestRequestType = 'request' | 'monitoring' | 'termination' | 'authentication';

/** The messages, by WOI number. */
export const restMessages = {
  httpFailed: (type: RestRequestType, status: number): string =>
    `0609: HTTP request failed. RequestType=${type} StatusCode=${status}`,
  networkIssue: (type: RestRequestType, detail: string): string =>
    `0610: A network issue occurred. RequestType=${type} (${detail})`,
  timedOut: (type: RestRequestType, seconds: number): string =>
    `0611: HTTP request timed out. RequestType=${type} (after ${seconds} s)`,
  requestIssue: (type: RestRequestType, detail: string): string =>
    `0612: An issue occurred with the HTTP request. RequestType=${type} (${detail})`,
  pollingExhausted: (polls: number): string =>
    `0613: The wait time for completion of the job on the cloud service has elapsed. (${polls} polls sent, pollingCount reached)`,
  resultNotNormal: (value: string): string =>
    `0614: The execution result of the job on the cloud service is not the specified normal exit value. ResultValue=${value}`,
  keyNotFound: (parameter: string, detail: string): string =>
    `0615: The specified key is not found in the response result. ParamName=${parameter} (${detail})`,
  credentialUnavailable: (credential: string, detail: string): string =>
    `0616: Failed to obtain the authentication information. AuthName=${credential} (${detail})`,
  noAccessToken: (credential: string): string =>
    `0617: An access token is not found in the response result. AuthName=${credential}`,
  /** Not a WOI message: the job ends with 239 (the execution environment stopped), R-EXIT-2. */
  requestLost:
    'the worker sending the request stopped before it answered; the request is not sent again, because it may have reached the service',
  internalError: (detail: string): string => `0618: An internal logical error occurred. (${detail})`,
  invalidParameter: (parameter: string, detail: string): string =>
    `0633: Invalid parameter. Parameter="${parameter}" Details="${detail}"`,
  terminationHttpFailed: (status: number, project: string, jobnet: string): string =>
    `0635: HTTP request failed. RequestType=termination StatusCode=${status} ProjectName=${project} JobNetName=${jobnet}`,
  terminationNetworkIssue: (project: string, jobnet: string): string =>
    `0636: A network issue occurred. RequestType=termination ProjectName=${project} JobNetName=${jobnet}`,
  terminationTimedOut: (project: string, jobnet: string): string =>
    `0637: HTTP request timed out. RequestType=termination ProjectName=${project} JobNetName=${jobnet}`,
  terminationIssue: (project: string, jobnet: string, detail: string): string =>
    `0638: An issue occurred with the HTTP request. RequestType=termination ProjectName=${project} JobNetName=${jobnet} (${detail})`,
};

/** Output keys of R-REST-6 that a `jobnetValKeys` name must not reuse. */
export const restOutputKeys = [
  'HttpStatusCode',
  'HttpResHeader',
  'HttpResBody',
  'ChkResultHttpStatusCode',
  'ChkResultHttpResHeader',
  'ChkResultHttpResBody',
] as const;

/** Marker that ends an output cut at its cap (R-REST-6). */
export function outputCapMarker(limitBytes: number): string {
  return `[output truncated: it exceeded ${limitBytes} bytes]`;
}

/**
 * Cuts `text` so that it and the marker fit `limitBytes` in UTF-8 (R-REST-6), at a character
 * boundary; text within the limit is returned as it is. Never throws.
 */
export function capOutput(text: string, limitBytes: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= limitBytes) return text;
  const marker = `\n${outputCapMarker(limitBytes)}`;
  let end = Math.max(0, limitBytes - new TextEncoder().encode(marker).length);
  // Back off continuation bytes (10xxxxxx) so the cut falls between two characters.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end)) + marker;
}
