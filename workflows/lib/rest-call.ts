/**
 * One REST call of a job assembled from its compiled form (R-REST-1): variables and credential
 * keys substituted (auth key → job-definition variable → takeover value, WOI 8.3.1, R-VAR-4), the
 * query appended with RFC 3986 encoding (the encoding AWS signatures use), the body serialised
 * (JSON unless it is a string; `Content-Type: application/json` unless a header says otherwise).
 * The REST activities then authenticate and send it (`activities/rest/`).
 *
 * Substituted values may hold secrets (credential keys): nothing here puts a substituted value into
 * a message; messages name fields.
 *
 * Pure and sandbox-safe: no Node built-ins, no I/O (`URL` is a global the workflow sandbox has too).
 */
import type { RestCallSpec } from './job-specs.js';
import { restExitCodes, restMessages, type RestRequestType } from './rest-messages.js';
import { substituteInValue, substituteVariables, type VariableSources } from './variable-references.js';

/** A REST call ready to send: URL with its query, headers, and the body text. */
export interface PreparedCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Largest URL in UTF-8 bytes after substitution (R-REST-1). */
const maxUrlBytes = 2083;
/** Largest query or header value in UTF-8 bytes after substitution (WOI 8.3.1). */
const maxParameterBytes = 1024;

/** A call that cannot be made as written: 245/246 from substitution, or 2 for a bad parameter. */
export interface CallRefusal {
  exitCode: number;
  message: string;
}

export type CallPreparation = { ok: true; call: PreparedCall } | ({ ok: false } & CallRefusal);

/** RFC 3986 percent-encoding: everything but unreserved characters. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Substitutes and assembles a call. `sources.takeoverValues` is applied to the URL and body only,
 * as WOI allows `<name>` there (and in extract keys, which the caller substitutes).
 */
export function prepareCall(spec: RestCallSpec, sources: VariableSources, type: RestRequestType): CallPreparation {
  const { takeoverValues, ...withoutTakeover } = sources;
  const url = substituteVariables(spec.url, sources, { field: `${type}.url`, maxBytes: maxUrlBytes });
  if (!url.ok) return url;
  let parsed: URL;
  try {
    parsed = new URL(url.text);
  } catch {
    return refusal(type, 'url', 'not a valid URL after variable substitution');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return refusal(type, 'url', 'the URL must start with http:// or https://');

  const query = substituteInValue(textValues(spec.query), withoutTakeover, {
    field: `${type}.query`,
    maxBytes: maxParameterBytes,
  });
  if (!query.ok) return query;
  const appended = Object.entries(query.value).map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`);
  if (appended.length > 0)
    parsed.search = [parsed.search.replace(/^\?/, ''), ...appended].filter((part) => part !== '').join('&');

  const header = substituteInValue(textValues(spec.header), withoutTakeover, {
    field: `${type}.header`,
    maxBytes: maxParameterBytes,
  });
  if (!header.ok) return header;
  const headers = { ...header.value };

  const call: PreparedCall = { url: parsed, method: spec.method, headers };
  if (spec.body !== undefined) {
    if (spec.method === 'GET') return refusal(type, 'body', 'a GET request cannot carry a body');
    const body = substituteInValue(
      spec.body,
      { ...withoutTakeover, ...(takeoverValues !== undefined ? { takeoverValues } : {}) },
      { field: `${type}.body`, allowNewlines: true },
    );
    if (!body.ok) return body;
    call.body = typeof body.value === 'string' ? body.value : JSON.stringify(body.value);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
  }
  return { ok: true, call };
}

function refusal(type: RestRequestType, field: string, detail: string): { ok: false } & CallRefusal {
  return {
    ok: false,
    exitCode: restExitCodes.badParameter,
    message: restMessages.invalidParameter(`${type}.${field}`, detail),
  };
}

/** Query and header values as text: numbers and booleans as written are sent as their text. */
function textValues(values: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(values ?? {})) text[name] = String(value);
  return text;
}
