/**
 * Claim tokens: how a cloud agent proves who they are when claiming slots, without an account system.
 * A planner issues one per agent (`POST /agents/{id}/claim-token`) and sends it to the agent's app or
 * phone as a link. The token is `<payload>.<mac>` in base64url: payload = [purpose, agent id, expiry,
 * incarnation], mac = HMAC-SHA256 under CLAIM_TOKEN_SECRET. Whoever holds it can act as that one agent
 * until it expires, and only on the self-service routes (/me/…): it names the agent, so an agent cannot
 * claim for another. The incarnation (the random id the store gives an agent when it is created) ties it
 * to that agent, not to the id: ids are reused, and an agent deleted and created again with the same id
 * is another person, whom the old token must not act for. Tokens of agents stored before incarnations
 * were carry none (a 3-element payload) and match only an agent that has none either.
 * Rotating the secret revokes every token at once.
 * A token names no deployment: deployments sharing CLAIM_TOKEN_SECRET (and a Redis, KEY_PREFIX apart) verify
 * each other's tokens, and only the incarnation check refuses them (another deployment's agent CA1 has
 * another incarnation than this one's CA1) — a refusal that cannot tell a token of another deployment from
 * one of an agent deleted and re-created, so it must not claim either. Not bound to the deployment (its
 * KEY_PREFIX in the MAC) because tokens already issued would then stop verifying; each deployment is to have
 * its own secret (README, KEY_PREFIX).
 */
import { openToken, signToken } from '../domain/signed-token';

const PURPOSE = 'wfm-claim';

export interface ClaimTokenClaims {
  agentId: string;
  /** epoch ms */
  expiresAt: number;
  /** the agent's incarnation when the token was issued; absent for an agent stored without one */
  incarnation?: string;
}

export type ClaimTokenCheck = { ok: true; claims: ClaimTokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export function signClaimToken(secret: string, claims: ClaimTokenClaims): string {
  const fields: Array<string | number> = [PURPOSE, claims.agentId, claims.expiresAt];
  if (claims.incarnation !== undefined) fields.push(claims.incarnation);
  return signToken(secret, PURPOSE, fields);
}

export function verifyClaimToken(secret: string, token: string, nowMs: number): ClaimTokenCheck {
  const opened = openToken(secret, PURPOSE, token);
  if (!opened.ok) return opened;
  const parsed = opened.fields;
  if (!Array.isArray(parsed) || !(parsed.length === 3 || (parsed.length === 4 && typeof parsed[3] === 'string')) || parsed[0] !== PURPOSE || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'number') return { ok: false, reason: 'malformed' };
  if (nowMs >= parsed[2]) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { agentId: parsed[1], expiresAt: parsed[2], ...(parsed.length === 4 ? { incarnation: parsed[3] as string } : {}) } };
}
