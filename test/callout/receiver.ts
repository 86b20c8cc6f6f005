/**
 * A real SMS-gateway stand-in on 127.0.0.1, port 0: checks the signature, honours the Idempotency-Key
 * (one SMS per key, the stored answer for repeats), and misbehaves at random from a seeded RNG: fails
 * before sending, fails after sending (a crash before its answer), rate-limits, answers slowly, or
 * stalls past the client's timeout after sending.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRng } from '../../src/sim/rng';
import { SIGNATURE_HEADER, verifyBodySignature } from '../../src/callout/signing';

export interface ReceiverBehaviour {
  failBefore: number;
  failAfter: number;
  rateLimit: number;
  slow: number;
  stallAfterSend: number;
  /** ms */
  slowMs: number;
  stallMs: number;
}

export interface Receiver {
  url: string;
  /** SMS sent per callout id */
  sent: Map<string, number>;
  requests: number;
  rejectedSignatures: number;
  bodies: Map<string, unknown>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string, seed: number, b: ReceiverBehaviour, fixedStatus?: number): Promise<Receiver> {
  const rng = createRng(seed);
  const sent = new Map<string, number>();
  const bodies = new Map<string, unknown>();
  const seenKeys = new Set<string>();
  const state = { requests: 0, rejectedSignatures: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => (timers.delete(t), f()), ms);
    timers.add(t);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      if (fixedStatus) return void res.writeHead(fixedStatus).end('{}');
      const check = verifyBodySignature(secret, req.headers[SIGNATURE_HEADER] as string | undefined, body, Date.now());
      if (!check.ok) {
        state.rejectedSignatures++;
        return void res.writeHead(401).end(JSON.stringify({ error: check.reason }));
      }
      const key = req.headers['idempotency-key'] as string;
      // One SMS per Idempotency-Key; counted per callout id, so a client that changed the key on a
      // retry would show up as a second SMS for the same callout.
      const send = () => {
        if (seenKeys.has(key)) return;
        seenKeys.add(key);
        const parsed = JSON.parse(body) as { calloutId: string };
        sent.set(parsed.calloutId, (sent.get(parsed.calloutId) ?? 0) + 1);
        bodies.set(parsed.calloutId, parsed);
      };
      const u = rng.uniform();
      let p = 0;
      if (u < (p += b.failBefore)) return void res.writeHead(503).end('{}');
      if (u < (p += b.rateLimit)) return void res.writeHead(429, { 'retry-after': '0' }).end('{}');
      if (u < (p += b.failAfter)) {
        send();
        return void res.writeHead(500).end('{}');
      }
      if (u < (p += b.stallAfterSend)) {
        send();
        return later(b.stallMs, () => res.writeHead(200).end('{}'));
      }
      const ok = () => {
        send();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      };
      if (u < (p += b.slow)) return later(b.slowMs, ok);
      ok();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    sent,
    bodies,
    get requests() {
      return state.requests;
    },
    get rejectedSignatures() {
      return state.rejectedSignatures;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as Receiver;
}
