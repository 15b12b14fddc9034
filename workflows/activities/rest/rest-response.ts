/**
 * Responses of REST calls (R-REST-4..6): the body read by its content type — JSON (including the
 * AWS `application/x-amz-json-*` protocol types and `+json` types), XML (`application/xml`,
 * `text/xml`, `+xml`) mapped to objects with fast-xml-parser so that extract keys start at the
 * root element name, anything else kept opaque — the output section WOI prints for it, and key
 * extraction with the grammar of `workflows/lib/extract-key.ts`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { evaluateExtractKey, formatExtractedValue, parseExtractKey } from '../../lib/extract-key.js';
import { restExitCodes, restMessages } from '../../lib/rest-messages.js';

/** A response body as read for key extraction. */
export type ResponseDocument =
  | { kind: 'json'; value: unknown }
  | { kind: 'xml'; value: unknown }
  | { kind: 'invalid'; format: 'JSON' | 'XML' }
  | { kind: 'empty' }
  | { kind: 'other'; mediaType: string };

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  // Every leaf stays text, as in the document: `"0"` and `"007"` are not numbers to reinterpret.
  parseTagValue: false,
  trimValues: true,
});

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function formatOf(mediaType: string): 'JSON' | 'XML' | undefined {
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType.startsWith('application/x-amz-json-')) return 'JSON';
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml')) return 'XML';
  return undefined;
}

/** Reads a body by its content type (R-REST-5). Never throws. */
export function readResponseDocument(contentType: string, body: string): ResponseDocument {
  const mediaType = mediaTypeOf(contentType);
  const format = formatOf(mediaType);
  if (format === undefined) return { kind: 'other', mediaType: mediaType === '' ? 'no content type' : mediaType };
  if (body.trim() === '') return { kind: 'empty' };
  if (format === 'JSON') {
    try {
      return { kind: 'json', value: JSON.parse(body) as unknown };
    } catch {
      return { kind: 'invalid', format };
    }
  }
  if (XMLValidator.validate(body) !== true) return { kind: 'invalid', format };
  try {
    return { kind: 'xml', value: xmlParser.parse(body) as unknown };
  } catch {
    return { kind: 'invalid', format };
  }
}

/**
 * The lines WOI prints for one response (R-REST-6), `prefix` being `Http` (the request) or
 * `ChkResultHttp` (the last poll): status, headers as a JSON object, and the body — JSON pretty
 * printed, XML as received (it is already in `<…>`), the placeholder text for an invalid body, and
 * no body line for other content types or an empty body.
 */
export function formatResponseSection(prefix: 'Http' | 'ChkResultHttp', status: number, headers: Record<string, string>, body: string, document: ResponseDocument): string {
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
    return { ok: false, exitCode: restExitCodes.badParameter, message: restMessages.invalidParameter(parameter, `${parsed.message} at offset ${parsed.offset}`) };
  }
  switch (document.kind) {
    case 'json':
    case 'xml': {
      const found = evaluateExtractKey(parsed.steps, document.value);
      if (found.found) return { ok: true, value: formatExtractedValue(found.value) };
      return { ok: false, exitCode: restExitCodes.unparsable, message: restMessages.keyNotFound(parameter, `nothing at ${found.at}`) };
    }
    case 'invalid':
      return { ok: false, exitCode: restExitCodes.unparsable, message: restMessages.keyNotFound(parameter, `the response is not a valid ${document.format} response`) };
    case 'empty':
      return { ok: false, exitCode: restExitCodes.unparsable, message: restMessages.keyNotFound(parameter, 'the response has no body') };
    case 'other':
      return {
        ok: false,
        exitCode: restExitCodes.unparsable,
        message: restMessages.keyNotFound(parameter, `a ${document.mediaType} response cannot be searched for keys; only JSON and XML can`),
      };
  }
}

/**
 * Extracts every entry of a `takeoverKeys`/`jobnetValKeys` map; stops at the first failure.
 */
export function extractAll(document: ResponseDocument, keys: Record<string, string> | undefined): { ok: true; values: Record<string, string> } | { ok: false; exitCode: number; message: string } {
  const values: Record<string, string> = {};
  for (const [name, key] of Object.entries(keys ?? {})) {
    const extracted = extractValue(document, key, name);
    if (!extracted.ok) return extracted;
    values[name] = extracted.value;
  }
  return { ok: true, values };
}
