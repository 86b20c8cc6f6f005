/**
 * Caching of answers. Every answer depends on who asks (a role sees phones masked or not, an agent sees
 * their own claims) and the key travels in a header a shared cache does not key on: a proxy or CDN must
 * not keep one caller's answer for another. Browsers and clients may keep them, and revalidate each time
 * with the weak ETag express sends (If-None-Match → 304, whatever the request's own Cache-Control says:
 * see answerIsFresh). Agents' records carry personal data (names,
 * phone numbers, claim tokens): those are not kept at all.
 */
import type { Express, Request, RequestHandler } from 'express';

/** a private cache may keep the answer, and must ask (If-None-Match) before each reuse */
export const PER_CALLER = 'private, no-cache';
/** nobody keeps the answer */
export const NOT_STORED = 'no-store';

/** The headers that say who is asking: a cache that keeps an answer keys it on them too. */
const CREDENTIAL_HEADERS = ['X-API-Key', 'Authorization'];

export function cacheControl(policy: string): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', policy);
    for (const header of CREDENTIAL_HEADERS) res.vary(header);
    next();
  };
}

/** The entity-tags of an If-None-Match list ("*" alone, or `W/"a", "b"`), each without its weakness mark. */
function opaqueTags(list: string): string[] {
  return (list.match(/(?:W\/)?"[^"]*"/g) ?? []).map((tag) => tag.replace(/^W\//, ''));
}

/**
 * Whether a GET's answer is the one the caller holds (RFC 9110 §13.1.1–13.1.3, weak comparison, as the
 * weak ETags express sends require): If-None-Match naming the answer's ETag, or "*" (a 2xx has a
 * representation); without If-None-Match, If-Modified-Since not before the answer's Last-Modified.
 *
 * The request's Cache-Control and Pragma play no part. express's own check (the `fresh` package) calls
 * every request with `Cache-Control: no-cache` stale, an old reading of RFC 2616 for browser reloads; but
 * fetch (browsers, Node's undici) adds exactly that header — and `Pragma: no-cache` — whenever the caller
 * sets If-None-Match, so an app revalidating with fetch never got its 304. no-cache is a directive to
 * caches along the way; the origin evaluates the precondition regardless (RFC 9110 §13.2.1, RFC 9111 §5.2.1.4).
 */
export function answerIsFresh(method: string, status: number, request: { ifNoneMatch?: string; ifModifiedSince?: string }, answer: { etag?: string; lastModified?: string }): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (!((status >= 200 && status < 300) || status === 304)) return false;
  if (request.ifNoneMatch !== undefined) {
    if (request.ifNoneMatch.trim() === '*') return true;
    if (!answer.etag) return false;
    const held = opaqueTags(request.ifNoneMatch);
    const current = answer.etag.replace(/^W\//, '');
    return held.includes(current);
  }
  if (request.ifModifiedSince !== undefined && answer.lastModified !== undefined) {
    const since = Date.parse(request.ifModifiedSince);
    const modified = Date.parse(answer.lastModified);
    return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
  }
  return false;
}

/**
 * Makes `req.fresh` — what `res.send` (and so `res.json`) reads to answer 304 — follow `answerIsFresh`
 * for every request of this app (express's request prototype of the app, not of express at large).
 */
export function honourPreconditionsDespiteNoCache(app: Express): void {
  Object.defineProperty(app.request, 'fresh', {
    configurable: true,
    enumerable: true,
    get(this: Request) {
      const header = (name: string) => {
        const value = this.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      };
      const res = this.res!;
      const answerHeader = (name: string) => {
        const value = res.getHeader(name);
        return value === undefined ? undefined : String(value);
      };
      return answerIsFresh(this.method, res.statusCode, { ifNoneMatch: header('if-none-match'), ifModifiedSince: header('if-modified-since') }, { etag: answerHeader('ETag'), lastModified: answerHeader('Last-Modified') });
    },
  });
}

/**
 * The weak ETag of a document's content as the app would make it for its bytes (its `etag fn`), to send
 * before the body when the body holds something that changes on every call without changing what it says
 * (an export's `generatedAt`): the tag stays put while the content does, so If-None-Match can answer 304.
 */
export function contentEtag(req: Request, content: unknown): string | undefined {
  const etagOf = req.app.get('etag fn') as ((body: Buffer, encoding?: string) => string) | undefined;
  return typeof etagOf === 'function' ? etagOf(Buffer.from(JSON.stringify(content)), undefined) : undefined;
}
