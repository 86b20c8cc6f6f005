/**
 * Signatures for the SMS webhook and for the accept/decline links.
 *
 * Webhook: HMAC-SHA256 over `${timestamp}.${body}` in `X-Wfm-Signature: t=<unix s>,v1=<hex>`; the
 * receiver recomputes it and rejects a timestamp outside its tolerance, so a captured request cannot be
 * replayed later. Links: a token `<payload>.<mac>` (base64url) naming the callout, the answer and the
 * expiry; verification is constant time and checks the expiry against the clock passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { openToken, signToken } from '../domain/signed-token';

export const SIGNATURE_HEADER = 'x-wfm-signature';

/** The signature of a body: its text (as UTF-8) or, received, its exact bytes. */
export function signBody(secret: string, timestampSeconds: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type SignatureCheck = { ok: true; timestampSeconds: number } | { ok: false; reason: 'malformed' | 'bad-signature' | 'stale' };

/** For receivers (and tests): checks the header against the raw body (the bytes received) and the clock. */
export function verifyBodySignature(secret: string, header: string | undefined, body: string | Uint8Array, nowMs: number, toleranceSeconds = 300): SignatureCheck {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return { ok: false, reason: 'malformed' };
  const timestampSeconds = Number(match[1]);
  if (!safeEqual(signBody(secret, timestampSeconds, body), header!)) return { ok: false, reason: 'bad-signature' };
  if (Math.abs(nowMs / 1000 - timestampSeconds) > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestampSeconds };
}

export type CalloutAnswer = 'accept' | 'decline';

export interface LinkClaims {
  calloutId: string;
  answer: CalloutAnswer;
  /** epoch ms */
  expiresAt: number;
}

/** The MAC's purpose of answer links (see domain/signed-token.ts). */
const LINK_PURPOSE = 'link';

export function signLinkToken(secret: string, claims: LinkClaims): string {
  return signToken(secret, LINK_PURPOSE, [claims.calloutId, claims.answer, claims.expiresAt]);
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' }
  /** signed by us, so the callout it names is known: the answer can say what became of it */
  | { ok: false; reason: 'expired'; calloutId: string };

export function verifyLinkToken(secret: string, token: string, nowMs: number): LinkCheck {
  const opened = openToken(secret, LINK_PURPOSE, token);
  if (!opened.ok) return opened;
  const parsed = opened.fields;
  if (!Array.isArray(parsed) || parsed.length !== 3) return { ok: false, reason: 'malformed' };
  const [calloutId, answer, expiresAt] = parsed as [unknown, unknown, unknown];
  if (typeof calloutId !== 'string' || (answer !== 'accept' && answer !== 'decline') || typeof expiresAt !== 'number') return { ok: false, reason: 'malformed' };
  if (nowMs >= expiresAt) return { ok: false, reason: 'expired', calloutId };
  return { ok: true, claims: { calloutId, answer, expiresAt } };
}
