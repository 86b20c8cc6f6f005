/**
 * The service's signed tokens — callout answer links, claim tokens, calendar-feed addresses — are one
 * shape: `<payload>.<mac>` in base64url, the payload a JSON array of the token's fields, the MAC an
 * HMAC-SHA256 under the token's key over `<purpose>.<payload>` (a token of one purpose is never one of
 * another). Each kind checks its own fields; this checks the shape and the MAC.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function mac(key: string | Buffer, purpose: string, payload: string): string {
  return createHmac('sha256', key).update(`${purpose}.${payload}`).digest('base64url');
}

export function signToken(key: string | Buffer, purpose: string, fields: readonly unknown[]): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${mac(key, purpose, payload)}`;
}

/** The token's fields if the MAC holds (still to be checked by its kind), else why not. */
export function openToken(key: string | Buffer, purpose: string, token: string): { ok: true; fields: unknown } | { ok: false; reason: 'malformed' | 'bad-signature' } {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const [payload, presented] = parts;
  // compared as text: decoding first would accept many spellings of one MAC (base64url decoding skips
  // stray characters and ignores the last character's spare bits), so one token would have many forms
  const expected = Buffer.from(mac(key, purpose, payload));
  const given = Buffer.from(presented);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  try {
    return { ok: true, fields: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
