/**
 * JSON-schema validation of skill-group and agent documents with the schemas of openapi.yaml, so the CLI
 * (files) and the API (requests) accept exactly the same documents. OpenAPI 3.0 schemas are draft-04
 * flavoured (boolean exclusiveMinimum), hence ajv-draft-04. The schemas are passed in: no I/O here.
 */
import Ajv, { type ErrorObject } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { pointerSegment, type ProblemDetail } from '../errors/wfm-error';

export type SchemaValidator = (value: unknown, where: string) => ProblemDetail[];

/** Builds a validator for `#/components/schemas/<name>` (refs inside resolve against the same components). */
export function schemaValidator(components: Record<string, unknown>, name: string): SchemaValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema({ id: 'openapi', components: { schemas: components } } as never);
  const validate = ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
  return (value, where) => {
    if (validate(value)) return [];
    return ajvProblems(validate.errors, where);
  };
}

/**
 * What a field's value means, added to a refusal of its range: the schema's bound alone ("must be <= 100")
 * does not tell a planner who typed uplift 300 for +300 % that the uplift multiplies (4 is +300 %).
 */
const RANGE_HINTS: Readonly<Record<string, string>> = {
  uplift: 'uplift multiplies the ordinary volume: 4 for +300 %, 1.5 for +50 %, 0.5 for half',
};

/** `message` with the hint of the field `where` points at, when it is a range refusal ("must be <= 100"). */
export function withRangeHint(where: string, message: string): string {
  const hint = RANGE_HINTS[where.slice(where.lastIndexOf('/') + 1)];
  return hint && /^must be [<>]/.test(message) ? `${message} (${hint})` : message;
}

/**
 * ajv's errors as problems, each pointing at the property a required or unknown field names, as the
 * API's contract errors do (`/body/0/id`, not `/body/0` "must have required property 'id'").
 */
export function ajvProblems(errors: ErrorObject[] | null | undefined, where: string): ProblemDetail[] {
  return (errors ?? []).map((e) => {
    const at = (e as { instancePath?: string; dataPath?: string }).instancePath ?? (e as { dataPath?: string }).dataPath ?? '';
    const property = e.params && 'missingProperty' in e.params ? e.params.missingProperty : e.params && 'additionalProperty' in e.params ? e.params.additionalProperty : undefined;
    return {
      // ajv's instancePath is a JSON pointer already; the property named is a raw key, escaped here (RFC 6901)
      where: `${where}${at}${property === undefined ? '' : `/${pointerSegment(String(property))}`}`,
      message: withRangeHint(at, `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : ''}`),
    };
  });
}
