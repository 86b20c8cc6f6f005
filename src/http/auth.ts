/**
 * API-key authentication. Which role may call what is written in openapi.yaml (`x-roles`) and enforced
 * by authorizeByContract in ./openapi.ts. The key comes in X-API-Key or Authorization: Bearer,
 * or (for the admin dashboard in a browser) a cookie set by /admin/queues?key=….
 */
import type { RequestHandler, Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { WfmError } from '../errors/wfm-error';
import type { Role } from '../config/config';

declare module 'express-serve-static-core' {
  interface Request {
    role?: Role;
  }
}

/**
 * The queue dashboard's cookie, named per deployment: two deployments on one host (two ports) share the
 * browser's cookies, and one cookie name would make logging in to one's dashboard overwrite the other's
 * key (and send it there).
 */
export function dashboardCookieName(keyPrefix: string): string {
  return `wfm_key_${keyPrefix.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The realm of API keys; cloud agents' claim tokens have their own (an API key is no claim token, nor the reverse). */
export const API_KEY_REALM = 'wfm-api';

/**
 * The WWW-Authenticate a 401 must carry (RFC 9110 §15.5.2): a Bearer challenge (RFC 6750 §3), with
 * error="invalid_token" when a credential was presented and refused (none when there was none at all).
 * Keys go in X-API-Key too, but Bearer is the standard scheme clients and proxies understand.
 */
export function bearerChallenge(realm: string, presented: boolean): string {
  return `Bearer realm="${realm}"${presented ? ', error="invalid_token"' : ''}`;
}

/**
 * The key a request presents: X-API-Key or a Bearer token; the dashboard's cookie (named `cookie`) only where it is
 * allowed (the dashboard's own routes: a cookie goes with every request of its path, forms of other sites
 * included, so it authenticates nothing else).
 */
export function presentedKey(req: Request, options: { cookie?: string } = {}): string | undefined {
  const header = req.get('x-api-key');
  if (header) return header;
  const auth = req.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  if (!options.cookie) return undefined;
  const cookie = req.get('cookie');
  const match = cookie && new RegExp(`(?:^|;\\s*)${options.cookie}=([^;]+)`).exec(cookie);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined; // a cookie that is no encoding of a key is no key: 401, not a failure
  }
}

/** Compares in constant time so a key cannot be guessed byte by byte from response timing. */
function lookup(keys: Map<string, Role>, presented: string): Role | undefined {
  const p = Buffer.from(presented);
  let found: Role | undefined;
  for (const [key, role] of keys) {
    const k = Buffer.from(key);
    if (k.length === p.length && timingSafeEqual(k, p)) found = role;
  }
  return found;
}

export function authenticate(keys: Map<string, Role>, options: { dashboardCookie?: string } = {}): RequestHandler {
  return (req, res, next) => {
    const presented = presentedKey(req, { cookie: options.dashboardCookie });
    if (!presented) {
      res.setHeader('WWW-Authenticate', bearerChallenge(API_KEY_REALM, false));
      return next(new WfmError('unauthorized', 'an API key is required (X-API-Key header or Authorization: Bearer)'));
    }
    const role = lookup(keys, presented);
    if (!role) {
      res.setHeader('WWW-Authenticate', bearerChallenge(API_KEY_REALM, true));
      return next(new WfmError('unauthorized', 'unknown API key'));
    }
    req.role = role;
    next();
  };
}
