/**
 * The contract (openapi.yaml) is loaded once and drives three things: request validation
 * (express-openapi-validator), who may call what (`x-roles` per operation), and the docs at /docs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { RequestHandler } from 'express';
import { WfmError } from '../errors/wfm-error';
import type { Role } from '../config/config';
// (the validator's own loader and schema check: what its middleware runs on the first request)
import { OpenApiSpecLoader } from 'express-openapi-validator/dist/framework/openapi.spec.loader';
import { OpenAPISchemaValidator } from 'express-openapi-validator/dist/framework/openapi.schema.validator';

export type OpenApiDocument = {
  paths: Record<string, Record<string, { 'x-roles'?: string[] } | unknown>>;
  components: { schemas: Record<string, unknown> };
  [key: string]: unknown;
};

export const OPENAPI_PATH = path.resolve(__dirname, '../../openapi.yaml');

let cached: OpenApiDocument | undefined;
export function loadOpenApi(): OpenApiDocument {
  cached ??= parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
  return cached;
}

/** Problems of the contract listed at most (a broken indentation can make hundreds). */
const CONTRACT_PROBLEMS_LISTED = 20;

/**
 * The contract read and checked at start as the validator will read it (parsed, held to the OpenAPI
 * schema, its $refs resolved): express-openapi-validator loads it only on the first request, so an
 * invalid one gave a process that said it was ready and answered 500 to every request. Refuses the start
 * instead, as invalid environment variables do.
 */
export async function checkContract(read: () => OpenApiDocument = loadOpenApi): Promise<void> {
  let doc: OpenApiDocument;
  try {
    doc = read();
  } catch (err) {
    throw contractRefused('not readable YAML', [{ where: OPENAPI_PATH, message: (err as Error).message }]);
  }
  if (typeof doc !== 'object' || doc === null) throw contractRefused('not an OpenAPI document', [{ where: '/', message: 'the file holds no mapping' }]);
  // once per document and process (a test file starts several services on the one loaded contract)
  let check = contractChecks.get(doc);
  if (!check) contractChecks.set(doc, (check = checkDocument(doc)));
  return check;
}

const contractChecks = new WeakMap<object, Promise<void>>();

const contractRefused = (message: string, details: Array<{ where: string; message: string }>) =>
  new WfmError('validation', `invalid API contract ${OPENAPI_PATH}: ${message}`, { isCatastrophic: true, details: details.slice(0, CONTRACT_PROBLEMS_LISTED) });

async function checkDocument(doc: OpenApiDocument): Promise<void> {
  const version = String(doc.openapi ?? '');
  if (!/^3\.[01]\./.test(version)) throw contractRefused('not OpenAPI 3.0 or 3.1', [{ where: '/openapi', message: `"${version}" is no OpenAPI version the validator reads` }]);
  const errors = new OpenAPISchemaValidator({ version, validateApiSpec: true }).validate(doc as never).errors ?? [];
  if (errors.length) throw contractRefused('it breaks the OpenAPI schema', errors.map((e) => ({ where: e.instancePath || '/', message: e.message ?? 'invalid' })));
  try {
    await new OpenApiSpecLoader({ apiDoc: structuredClone(doc) as never, validateApiSpec: false }).load();
  } catch (err) {
    throw contractRefused('the validator cannot load it', [{ where: '/', message: (err as Error).message }]);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface RoleRule {
  pattern: RegExp;
  method: string;
  roles: string[];
}

/**
 * The requests a path template of the contract names. Case-insensitive, as express routes and the
 * contract validator match paths: /AGENTS reaches the /agents handlers, so it must meet the /agents
 * roles and checks (a case-sensitive rule let it through unchecked).
 */
export function contractPathPattern(template: string): RegExp {
  return new RegExp('^' + template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '/?$', 'i');
}

/**
 * The contract's path template a request path falls under ("/rosters/{rosterId}/replan"), or undefined:
 * the route label of the latency metric, one per operation whatever the ids. A static segment is
 * preferred to a parameter where both match (/rosters/published before /rosters/{rosterId}), as the
 * validator routes them.
 */
export function contractTemplateOf(doc: OpenApiDocument): (path: string) => string | undefined {
  const specificity = (template: string) => template.split('/').map((segment) => (segment.startsWith('{') ? '1' : '0')).join('');
  const templates = Object.keys(doc.paths)
    .sort((a, b) => specificity(a).localeCompare(specificity(b)))
    .map((template) => ({ template, pattern: contractPathPattern(template) }));
  return (path) => templates.find((t) => t.pattern.test(path))?.template;
}

function roleRules(doc: OpenApiDocument): RoleRule[] {
  const rules: RoleRule[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    const pattern = contractPathPattern(p);
    for (const method of METHODS) {
      const op = item[method] as { 'x-roles'?: string[] } | undefined;
      if (op) rules.push({ pattern, method: method.toUpperCase(), roles: op['x-roles'] ?? ['admin'] });
    }
  }
  return rules;
}

/**
 * Checks the caller's role against the operation's `x-roles` before the body is validated, so a
 * planner posting configuration gets 403, not a list of schema errors. Admin may do everything.
 * Unknown paths fall through to the validator's 404/405.
 */
export function authorizeByContract(doc: OpenApiDocument): RequestHandler {
  const rules = roleRules(doc);
  return (req, _res, next) => {
    const rule = rules.find((r) => r.method === req.method && r.pattern.test(req.path));
    if (!rule || rule.roles.includes('public') || req.role === 'admin' || rule.roles.includes(req.role as Role)) return next();
    next(new WfmError('forbidden', `${req.method} ${req.path} needs the role ${rule.roles.join(' or ')}; this key has the role ${req.role}`));
  };
}
