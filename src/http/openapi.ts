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
