/**
 * The WOI Web API's `msgevent` / `msgclear` contract (R-OPS-6, WOI 8.4.4 / 8.4.5 / 9.3): its
 * parameters and their value rules, its success body and its `{code, message}` errors with the
 * `OM_API_000nn` codes, so that scripts written against WOI keep working against
 * `POST /api/v1/msgevent` and `POST /api/v1/msgclear`.
 *
 * | parameter     | msgevent | msgclear | rule                                                           |
 * |---------------|----------|----------|----------------------------------------------------------------|
 * | `projectname` | optional | optional | ≤ 50 bytes (UTF-8); letters, digits (any script), `@ + _ -`    |
 * | `jobnetname`  | optional | optional | ≤ 50 bytes; same characters; msgevent: only with `projectname` |
 * | `messagename` | required | optional | ≤ 12 bytes; same characters                                    |
 * | `vparam`      | optional | —        | ≤ 200 bytes (becomes `@.VPARAM@`)                              |
 * | `suffix`      | optional | —        | ≤ 30 bytes, `[A-Za-z0-9-]`, starts alphanumeric; only with `vparam` |
 *
 * Parameter names are matched case-insensitively (WOI's own table says `messageName`, its example
 * `messagename`).
 *
 * Pure: no I/O.
 */

/** What both resources answer on success: WOI's empty list. */
export const woiSuccess = { next: false, total: 0, data: [] as never[] } as const;

export type WoiResource = 'msgevent' | 'msgclear';

/** A WOI error answer: status and `{code, message}`. */
export interface WoiError {
  statusCode: number;
  body: { code: string; message: string };
}

/** A WOI error answer thrown inside a WOI route, answered as it is. */
export class WoiAnswer extends Error {
  override name = 'WoiAnswer';
  constructor(readonly answer: WoiError) {
    super(answer.body.message);
  }
}

const namePattern = /^[\p{L}\p{N}@+_-]+$/u;
const suffixPattern = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

interface ParameterRule {
  maxBytes: number;
  pattern: RegExp;
}

const rules: Record<string, ParameterRule> = {
  projectname: { maxBytes: 50, pattern: namePattern },
  jobnetname: { maxBytes: 50, pattern: namePattern },
  messagename: { maxBytes: 12, pattern: namePattern },
  vparam: { maxBytes: 200, pattern: /^[^]*$/u },
  suffix: { maxBytes: 30, pattern: suffixPattern },
};

/** The parameters each resource takes. */
export const woiParameters: Record<WoiResource, readonly string[]> = {
  msgevent: ['projectname', 'jobnetname', 'messagename', 'vparam', 'suffix'],
  msgclear: ['projectname', 'jobnetname', 'messagename'],
};

/** The parameters of a request, checked: strings by lower-cased name, or the WOI error. */
export type WoiParameters = { ok: true; values: Record<string, string> } | { ok: false; error: WoiError };

export function invalidParameter(name: string, value: unknown): WoiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return {
    statusCode: 400,
    body: { code: 'OM_API_00010', message: `The parameter is invalid. ${name}=${(shown ?? '').slice(0, 256)}` },
  };
}

export function missingParameter(name: string): WoiError {
  return {
    statusCode: 400,
    body: { code: 'OM_API_00011', message: `A required parameter is not specified. param=${name}` },
  };
}

export function unnecessaryParameter(name: string): WoiError {
  return {
    statusCode: 400,
    body: { code: 'OM_API_00012', message: `An unnecessary parameter is specified. param=${name}` },
  };
}

export function duplicateParameter(name: string): WoiError {
  return {
    statusCode: 400,
    body: { code: 'OM_API_00013', message: `The parameter is specified in duplicate. param=${name}` },
  };
}

/** A request the resource could not carry out (refused, unknown project or jobnet, not allowed). */
export function processingFailure(resource: WoiResource, detail: string): WoiError {
  const code = resource === 'msgevent' ? 'OM_API_00900' : 'OM_API_00910';
  return { statusCode: 400, body: { code, message: `Failed to process the ${resource} resource. detail=${detail}` } };
}

/** 401: the bearer token is missing (`code=00011`), not a bearer token (`00012`), or not accepted (`00013`). */
export function authenticationFailure(authorization: string | undefined): WoiError {
  const sub =
    authorization === undefined || authorization.trim() === ''
      ? '00011'
      : /^bearer\s+\S/i.test(authorization)
        ? '00013'
        : '00012';
  return {
    statusCode: 401,
    body: { code: 'OM_API_00001', message: `Authentication information is required. code=${sub}` },
  };
}

/** 500: Temporal could not be reached (`OM_API_00090`) or anything unexpected (`OM_API_00099`). */
export function serverFailure(kind: 'io' | 'internal'): WoiError {
  return kind === 'io'
    ? { statusCode: 500, body: { code: 'OM_API_00090', message: 'An I/O error occurred.' } }
    : {
        statusCode: 500,
        body: { code: 'OM_API_00099', message: 'An internal error occurred. detail=the server log has the details' },
      };
}

/**
 * Checks the body of a `resource` request: an object (an absent body is no parameters) whose
 * names, lower-cased, are the resource's parameters, each given once as a non-empty string within
 * its rule; `messagename` given for msgevent; `jobnetname` only with `projectname` for msgevent;
 * `suffix` only with `vparam`.
 */
export function checkWoiParameters(resource: WoiResource, body: unknown): WoiParameters {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body))
    return {
      ok: false,
      error: {
        statusCode: 400,
        body: {
          code: 'OM_API_00099',
          message: 'An internal error occurred. detail=the body is not an object of parameters',
        },
      },
    };
  const values: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [given, value] of Object.entries(body as Record<string, unknown>)) {
    const name = given.toLowerCase();
    if (!woiParameters[resource].includes(name)) return { ok: false, error: unnecessaryParameter(given) };
    if (seen.has(name) || Array.isArray(value)) return { ok: false, error: duplicateParameter(name) };
    seen.add(name);
    if (typeof value !== 'string') return { ok: false, error: invalidParameter(name, value) };
    if (value === '') return { ok: false, error: missingParameter(name) };
    const rule = rules[name] as ParameterRule;
    if (Buffer.byteLength(value, 'utf8') > rule.maxBytes || !rule.pattern.test(value))
      return { ok: false, error: invalidParameter(name, value) };
    values[name] = value;
  }
  if (resource === 'msgevent') {
    if (values.messagename === undefined) return { ok: false, error: missingParameter('messagename') };
    if (values.jobnetname !== undefined && values.projectname === undefined)
      return { ok: false, error: missingParameter('projectname') };
    if (values.suffix !== undefined && values.vparam === undefined)
      return { ok: false, error: missingParameter('vparam') };
  }
  return { ok: true, values };
}
