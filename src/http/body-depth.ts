/**
 * Every parsed JSON body is walked once, right after parsing, and refused (400) at the first place that
 * would break what reads it afterwards:
 *
 * - nesting deeper than any operation takes. JSON.parse builds any depth, but what reads the body
 *   afterwards recurses: JSON.stringify (the large-body check, job data, the idempotency store) and ajv
 *   overflowed the stack at ~5,000 levels, a 10 KB body, and answered 500;
 * - a string, or an object's key, that is not one line of well-formed text (see body-text.ts): a lone
 *   surrogate was stored, and every Lua script that decodes the stored JSON (cjson) failed from then on.
 *
 * The walk keeps its own stack, so no depth can overflow it; it stops at the first fault, and otherwise
 * looks at each value once (24 MB of 210,000 rows: 20–100 ms, where JSON.parse took 160–270 ms; the text
 * checks add 30–50 ms to a 20 MB upload).
 */
import type { RequestHandler } from 'express';
import { WfmError } from '../errors/wfm-error';
import { pointerSegment } from '../errors/wfm-error';
import { textFault } from './body-text';

/**
 * The deepest a body may nest (arrays and objects within each other). The contract's bodies nest at most
 * 5 levels (a batch of agents: array, agent, skills, skill…); a simulation spec a few more.
 */
export const MAX_BODY_DEPTH = 32;

/** A lone surrogate (with the u flag, a well-formed pair is one code point, not two surrogates). */
const LONE_SURROGATE = /\p{Cs}/gu;

export type BodyFault = { kind: 'depth' | 'key' | 'text'; where: string; message: string };

/**
 * The first place of a parsed JSON body (an array or object; a text body, a string, is not looked into)
 * that nests deeper than maxDepth (the body itself is level 1), or, with checkText, whose key or string
 * value checkText faults. `where` is its JSON pointer ("/body/0/skills/3"). Depth first, with its own stack
 * of the open containers and where each is at, so it holds the current path only (never more than
 * maxDepth entries) and allocates nothing per value but an object's key list.
 */
export function firstBodyFault(body: unknown, maxDepth = MAX_BODY_DEPTH, checkText?: (text: string) => string | undefined): BodyFault | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const open: object[] = [body];
  const keysOf: Array<string[] | undefined> = [Array.isArray(body) ? undefined : Object.keys(body)];
  const next: number[] = [0];
  // each open container's last step, down to its current child
  const where = () => ['/body', ...next.map((n, level) => pointerSegment(keysOf[level]?.[n - 1] ?? String(n - 1)))].join('/');
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
    if (keys && checkText) {
      const fault = checkText(keys[i]);
      if (fault) return { kind: 'key', where: where(), message: `the key ${fault}` };
    }
    const child = keys ? (container as Record<string, unknown>)[keys[i]] : (container as unknown[])[i];
    if (typeof child === 'string' && checkText) {
      const fault = checkText(child);
      if (fault) return { kind: 'text', where: where(), message: fault };
    }
    if (typeof child !== 'object' || child === null) continue;
    if (open.length >= maxDepth) return { kind: 'depth', where: where(), message: `nested more than ${maxDepth} levels deep` };
    open.push(child);
    keysOf.push(Array.isArray(child) ? undefined : Object.keys(child));
    next.push(0);
  }
  return undefined;
}

/** The JSON pointer of the first array or object nested deeper than maxDepth, or undefined. */
export function tooDeep(body: unknown, maxDepth = MAX_BODY_DEPTH): string | undefined {
  return firstBodyFault(body, maxDepth)?.where;
}

const SUMMARY: Record<BodyFault['kind'], (maxDepth: number) => string> = {
  depth: (maxDepth) => `the body nests arrays and objects more than ${maxDepth} levels deep; no operation takes more than a few`,
  key: () => 'a key of the body is not one line of well-formed text',
  text: () => 'a string of the body is not one line of well-formed text',
};

/** Refuses a JSON body too deep, or with a key or string that is not one line of well-formed text (400). */
export function unsafeBodiesRefused(maxDepth = MAX_BODY_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const fault = firstBodyFault(req.body, maxDepth, textFault);
    if (!fault) return next();
    // a pointer through a bad key holds its lone surrogate: the answer says U+FFFD there (valid UTF-8 for every client)
    next(new WfmError('validation', SUMMARY[fault.kind](maxDepth), { status: 400, details: [{ where: fault.where.replace(LONE_SURROGATE, '\ufffd'), message: fault.message }] }));
  };
}
