/**
 * Caching of answers. Every answer depends on who asks (a role sees phones masked or not, an agent sees
 * their own claims) and the key travels in a header a shared cache does not key on: a proxy or CDN must
 * not keep one caller's answer for another. Browsers and clients may keep them, and revalidate each time
 * with the weak ETag express sends (If-None-Match → 304). Agents' records carry personal data (names,
 * phone numbers, claim tokens): those are not kept at all.
 */
import type { RequestHandler } from 'express';

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
