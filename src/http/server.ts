/**
 * The HTTP server around an app: how long a request may take to arrive, and the answers Node itself
 * writes (a request that took too long, one it could not parse) as problem+json like every other answer.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';

export interface ServerTimeouts {
  /** headers and body together (Node's requestTimeout) */
  requestTimeoutMs: number;
  /** headers alone (Node's headersTimeout) */
  headersTimeoutMs: number;
}

/** The answers Node writes itself, by the code of its error (any other: 400). */
const NODE_ANSWERS: Record<string, { status: number; title: string; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, title: 'Request timeout', code: 'request-timeout', detail: 'the request did not arrive in time (headers and body); the connection is closed' },
  HPE_HEADER_OVERFLOW: { status: 431, title: 'Request header fields too large', code: 'headers-too-large', detail: 'the request headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, title: 'Payload too large', code: 'payload-too-large', detail: 'the chunk extensions of the body are too large' },
};
const MALFORMED = { status: 400, title: 'Bad request', code: 'bad-request', detail: 'the request is not well-formed HTTP' };

/** A raw HTTP/1.1 answer with a problem+json body, for a connection express never saw a request on. */
function rawProblem(answer: typeof MALFORMED): string {
  const body = JSON.stringify({
    type: `https://wfm.example/problems/${answer.code}`,
    title: answer.title,
    status: answer.status,
    detail: answer.detail,
    errors: [{ where: '/', message: answer.detail }],
  });
  return [`HTTP/1.1 ${answer.status} ${answer.title}`, 'Content-Type: application/problem+json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body].join('\r\n');
}

export function createHttpServer(app: http.RequestListener, timeouts: ServerTimeouts): http.Server {
  /** connections whose request was answered before its body had arrived (weak: they go with the socket) */
  const answeredEarly = new WeakSet<Duplex>();
  const server = http.createServer({
    requestTimeout: timeouts.requestTimeoutMs,
    headersTimeout: timeouts.headersTimeoutMs,
    // Node checks the timeouts above this often (30 s by default: a 60 s headers timeout cut at 81 s)
    connectionsCheckingInterval: Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4)),
  }, app);
  // An answer given before its request's body arrived (a 401 read from the headers alone) leaves the rest
  // of the body to come on the connection: a 408 for it later would be a second answer to one request,
  // which a pipelining client or a pooling proxy would pair with its next request.
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.on('finish', () => {
      if (req.complete) return;
      answeredEarly.add(req.socket);
      // once the rest of that body has come (Node reads it off), the connection may carry another request
      req.once('end', () => answeredEarly.delete(req.socket));
    });
  });
  // What Node does without a listener, with a problem+json body: answer only where no answer has begun
  // on the connection, then close it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent && !answeredEarly.has(socket)) {
      socket.write(rawProblem(NODE_ANSWERS[err.code ?? ''] ?? MALFORMED));
    }
    socket.destroy(err);
  });
  return server;
}
