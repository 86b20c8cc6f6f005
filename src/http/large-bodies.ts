/**
 * Large JSON bodies are held to the contract here, cheaply, before the contract validator sees them.
 * The validator reports every error (allErrors), and ajv's cost then grows with the square of the errors
 * it gathers: 40,000 empty agents (520 KB), or one agent with 40,000 empty skills (156 KB), held the
 * event loop for 25–100 s. Here a body over LARGE_BODY_BYTES is checked in linear time: a top-level array
 * item by item (every problem of a small item, the first of a large one), anything else stopping at its
 * first problem. The problem handler lists the first 100 and counts the rest. A valid body goes on to the
 * validator, which is linear without errors; a small body never comes here.
 */
import type { RequestHandler } from 'express';
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { error as validatorError } from 'express-openapi-validator';
import { contractPathPattern, type OpenApiDocument } from './openapi';
import { ajvProblems } from '../domain/schemas';

/** Bodies up to this size go straight to the contract validator (a few thousand errors cost it little). */
export const LARGE_BODY_BYTES = 8 * 1024;
/** When the check was partial, the problems listed before the line saying so (100 lines, as an answer lists at most). */
const ENOUGH_PROBLEMS = 99;

interface Operation {
  pattern: RegExp;
  method: string;
  schema: unknown;
}

interface Checkers {
  /** first error only: linear whatever the body */
  first: ValidateFunction;
  /** every error: for small parts only */
  all: ValidateFunction;
}

interface Problem {
  path: string;
  message: string;
}

function jsonOperations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    const pattern = contractPathPattern(p);
    for (const [method, op] of Object.entries(item as Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>)) {
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (schema) out.push({ pattern, method: method.toUpperCase(), schema });
    }
  }
  return out;
}

/** The schema with its refs pointed at the components registered under the id "openapi". */
function withComponentRefs(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as object;
}

function problemsOf(validate: ValidateFunction, at: string): Problem[] {
  return ajvProblems(validate.errors, at).map((p) => ({ path: p.where, message: p.message }));
}

export function largeBodiesChecked(doc: OpenApiDocument): RequestHandler {
  const operations = jsonOperations(doc);
  let ajv: { first: Ajv; all: Ajv } | undefined;
  const compiled = new Map<object, Checkers>();
  // compiled on the first large body of an operation, not at start (most processes never see one)
  const checkers = (schema: object): Checkers => {
    ajv ??= (() => {
      const make = (allErrors: boolean) => {
        const a = new Ajv({ allErrors, strict: false });
        addFormats(a, { mode: 'full' });
        a.addSchema({ id: 'openapi', components: doc.components } as never);
        return a;
      };
      return { first: make(false), all: make(true) };
    })();
    let found = compiled.get(schema);
    if (!found) compiled.set(schema, (found = { first: ajv.first.compile(withComponentRefs(schema)), all: ajv.all.compile(withComponentRefs(schema)) }));
    return found;
  };

  // the array schema without its items (its own limits), one object per schema so it is compiled once
  const shells = new Map<object, object>();
  const arrayOnly = (schema: object): object => {
    let shell = shells.get(schema);
    if (!shell) shells.set(schema, (shell = { ...schema, items: {} }));
    return shell;
  };

  return (req, _res, next) => {
    if (req.body === undefined || typeof req.body !== 'object' || req.body === null || !req.is('application/json')) return next();
    const length = Number(req.get('content-length') ?? JSON.stringify(req.body).length);
    if (!(length > LARGE_BODY_BYTES)) return next();
    const operation = operations.find((o) => o.method === req.method && o.pattern.test(req.path));
    if (!operation) return next();
    const schema = operation.schema as { type?: string; items?: unknown };
    const problems: Problem[] = [];
    let partial: string | undefined;
    if (Array.isArray(req.body) && schema.type === 'array' && schema.items) {
      // the array's own limits first (maxItems, minItems), then item by item: every problem of a small
      // item, the first of a large one (its nested arrays are what the whole-body check choked on)
      const whole = checkers(arrayOnly(schema));
      // too many items (maxItems): that is the answer, without reading millions of them
      if (!whole.first(req.body)) return next(new validatorError.BadRequest({ path: req.path, message: 'the request does not match the API contract', errors: problemsOf(whole.first, '/body') }));
      const item = checkers(schema.items as object);
      (req.body as unknown[]).forEach((value, i) => {
        if (item.first(value)) return;
        const small = JSON.stringify(value).length <= LARGE_BODY_BYTES;
        if (small) item.all(value);
        else partial = `item ${i} is large: its first problem is named`;
        problems.push(...problemsOf(small ? item.all : item.first, `/body/${i}`));
      });
    } else {
      const whole = checkers(schema);
      if (!whole.first(req.body)) {
        problems.push(...problemsOf(whole.first, '/body'));
        partial = `checking stopped at the first problem of a large body (${length} bytes)`;
      }
    }
    if (!problems.length) return next();
    // the problem handler lists the first 100 and counts the rest
    const listed = partial ? [...problems.slice(0, ENOUGH_PROBLEMS), { path: '/body', message: `… and maybe more: ${partial}` }] : problems;
    next(new validatorError.BadRequest({ path: req.path, message: 'the request does not match the API contract', errors: listed }));
  };
}
