/**
 * How the operator routes check their requests against their JSON Schemas (R-SEC-4): strictly.
 * Fastify's default ajv drops unknown body fields and coerces types; an operator API must instead
 * refuse them, naming the field, so that a typo (`parameters` for `parameter`) is never silently
 * ignored. Query strings and path parameters arrive as text, so only they are coerced (a `limit`
 * of `"50"` is the number 50); bodies are not.
 *
 * Pure: compiles schemas, no I/O.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

function ajvWith(coerceTypes: boolean): Ajv {
  return addFormats(
    new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, coerceTypes, strict: false }),
  );
}

const forBodies = ajvWith(false);
const forText = ajvWith(true);
const compiled = new WeakMap<object, ValidateFunction>();

/** Fastify's validator compiler for the operator scope: strict bodies, coerced query/path text. */
export const strictValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? forBodies : forText;
  const key = schema as object;
  let validate = httpPart === 'body' ? compiled.get(key) : undefined;
  if (validate === undefined) {
    validate = ajv.compile(schema as object);
    if (httpPart === 'body') compiled.set(key, validate);
  }
  const check = validate;
  const numeric = httpPart === 'body' ? [] : numericPropertiesOf(schema);
  return (data: unknown) => {
    const notDecimal = numeric.find((name) => {
      const value = (data as Record<string, unknown> | null | undefined)?.[name];
      return typeof value === 'string' && !decimalText.test(value);
    });
    if (notDecimal !== undefined)
      return {
        error: Object.assign(new Error('invalid'), {
          validation: [
            { instancePath: `/${notDecimal}`, keyword: 'type', message: 'must be a decimal number', params: {} },
          ],
        }),
      };
    return check(data) ? { value: data } : { error: Object.assign(new Error('invalid'), { validation: check.errors }) };
  };
};

/**
 * Text that may be read as a number: decimal digits, an optional sign and fraction. Ajv's
 * coercion would take whatever `Number()` takes — `0x10`, `1e3`, ` 5 ` — and a query parameter
 * given that way is a mistake to report, not a number to guess.
 */
const decimalText = /^-?\d+(\.\d+)?$/;

/** The top-level properties of a query or path schema declared as numbers. */
function numericPropertiesOf(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'integer' || property.type === 'number')
    .map(([name]) => name);
}
