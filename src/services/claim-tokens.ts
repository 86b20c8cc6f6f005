/**
 * Claim tokens: how a cloud agent proves who they are when claiming slots, without an account system.
 * A planner issues one per agent (`POST /agents/{id}/claim-token`) and sends it to the agent's app or
 * phone as a link. The token is `<payload>.<mac>` in base64url: payload = [purpose, agent id, expiry],
 * mac = HMAC-SHA256 under CLAIM_TOKEN_SECRET. Whoever holds it can act as that one agent until it expires,
 * and only on the self-service routes (/me/…): it names the agent, so an agent cannot claim for another.
 * Rotating the secret revokes every token at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'wfm-claim';

export interface ClaimTokenClaims {
  agentId: string;
  /** epoch ms */
  expiresAt: number;
}

export type ClaimTokenCheck = { ok: true; claims: ClaimTokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${PURPOSE}.${payload}`).digest();
}

export function signClaimToken(secret: string, claims: ClaimTokenClaims): string {
  const payload = Buffer.from(JSON.stringify([PURPOSE, claims.agentId, claims.expiresAt])).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyClaimToken(secret: string, token: string, nowMs: number): ClaimTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const [payload, presented] = parts;
  // compared as text: decoding first would accept many spellings of one MAC (base64url decoding skips
  // stray characters and ignores the last character's spare bits), so one token would have many forms
  const expected = Buffer.from(mac(secret, payload).toString('base64url'));
  const given = Buffer.from(presented);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== PURPOSE || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'number') return { ok: false, reason: 'malformed' };
  if (nowMs >= parsed[2]) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { agentId: parsed[1], expiresAt: parsed[2] } };
}
