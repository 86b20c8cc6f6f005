/**
 * JSON bodies nested deeper than any operation takes are refused (400) right after parsing. JSON.parse
 * builds any depth, but what reads the body afterwards recurses: JSON.stringify (the large-body check,
 * job data, the idempotency store) and ajv overflowed the stack at ~5,000 levels, a 10 KB body, and
 * answered 500. The walk here keeps its own stack, so no depth can overflow it; it stops at the first
 * value too deep, and otherwise looks at each value once (24 MB of 210,000 rows: 20–100 ms, where
 * JSON.parse took 160–270 ms).
 */
import type { RequestHandler } from 'express';
import { WfmError } from '../errors/wfm-error';

/**
 * The deepest a body may nest (arrays and objects within each other). The contract's bodies nest at most
 * 5 levels (a batch of agents: array, agent, skills, skill…); a simulation spec a few more.
 */
export const MAX_BODY_DEPTH = 32;

/** A JSON pointer segment (RFC 6901). */
const segment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON pointer ("/body/0/skills/3") of the first array or object nested deeper than maxDepth (the
 * body itself is level 1), or undefined. Depth first, with its own stack of the open containers and where
 * each is at, so it holds the current path only (never more than maxDepth entries) and allocates nothing
 * per value but an object's key list.
 */
export function tooDeep(body: unknown, maxDepth = MAX_BODY_DEPTH): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const open: object[] = [body];
  const keysOf: Array<string[] | undefined> = [Array.isArray(body) ? undefined : Object.keys(body)];
  const next: number[] = [0];
  while (open.length) {
    const top = open.length - 1;
    const container = open[top];
    const keys = keysOf[top];
    const i = next[top];
    if (i >= (keys ? keys.length : (container as unknown[]).length)) {
      open.pop();
      keysOf.pop();
      next.pop();
      continue;
    }
    next[top] = i + 1;
    const child = keys ? (container as Record<string, unknown>)[keys[i]] : (container as unknown[])[i];
    if (typeof child !== 'object' || child === null) continue;
    if (open.length >= maxDepth) {
      // each open container's last step, down to this child
      return ['/body', ...next.map((n, level) => segment(keysOf[level]?.[n - 1] ?? String(n - 1)))].join('/');
    }
    open.push(child);
    keysOf.push(Array.isArray(child) ? undefined : Object.keys(child));
    next.push(0);
  }
  return undefined;
}

export function deepBodiesRefused(maxDepth = MAX_BODY_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const where = tooDeep(req.body, maxDepth);
    if (!where) return next();
    next(new WfmError('validation', `the body nests arrays and objects more than ${maxDepth} levels deep; no operation takes more than a few`, {
      status: 400,
      details: [{ where, message: `nested more than ${maxDepth} levels deep` }],
    }));
  };
}
