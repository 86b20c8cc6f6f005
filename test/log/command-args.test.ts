/**
 * ioredis errors carry the failed command's arguments (`command.args`): an AUTH password, a script's JSON
 * with an agent's phone. The service's logger keeps the command's name and never its arguments.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log';
import { capturedLog } from '../support/log-capture';
import { REDIS_URL } from '../support/service';

const PHONE = '+4915112345678';
const PASSWORD = 'wrong-pass-LEAKME';

/** An error as ioredis makes it for a refused command. */
function replyError(name: string, args: unknown[]): Error {
  return Object.assign(new Error(`ERR refused ${name}`), { name: 'ReplyError', command: { name, args } });
}

describe('errors with Redis command arguments in the log', () => {
  test('when an ioredis error is logged as err or error, then the command name is kept and its arguments are not', () => {
    const { log, lines } = capturedLog();
    log.error({ err: replyError('auth', [PASSWORD]) }, 'worker error');
    log.error({ error: replyError('evalsha', ['sha', '1', JSON.stringify({ id: 'A1', phone: PHONE })]) }, 'request failed');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PHONE);
    expect(lines[0]!.err).toMatchObject({ message: 'ERR refused auth', command: { name: 'auth', args: '[redacted]' } });
    expect(lines[1]!.error).toMatchObject({ command: { name: 'evalsha', args: '[redacted]' } });
  });

  test('when the failed command sits deeper (an error inside an error, an aggregate of errors), then its arguments are gone too', () => {
    const { log, lines } = capturedLog();
    const wrapped = Object.assign(new Error('upsert failed'), { original: replyError('evalsha', [PHONE]), detail: { reply: { command: { name: 'hset', args: [PHONE] } } } });
    log.error({ err: wrapped }, 'a');
    log.error({ err: new AggregateError([replyError('auth', [PASSWORD]), wrapped], 'several') }, 'b');
    log.error({ err: new Error('outer', { cause: replyError('auth', [PASSWORD]) }) }, 'c');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PHONE);
    expect(text).toContain('"name":"evalsha"');
    expect(text).toContain('"name":"hset"');
  });

  test('when a child logger brings its own err serializer (as pino-http does), then the arguments are still redacted', () => {
    const { log, lines } = capturedLog();
    const child = log.child({}, { serializers: { err: (e: Error) => ({ message: e.message, ...(e as unknown as Record<string, unknown>) }) } });
    child.error({ err: replyError('auth', [PASSWORD]) }, 'request errored');
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
    expect(lines[0]!.err).toMatchObject({ command: { name: 'auth', args: '[redacted]' } });
  });

  test('when a real Redis refuses a script holding a phone number, then the logged error shows the script command without its arguments', async () => {
    const redis = new Redis(REDIS_URL);
    let failure: unknown;
    try {
      await redis.eval("return redis.error_reply('ERR refused')", 0, JSON.stringify({ phone: PHONE }));
    } catch (err) {
      failure = err;
    } finally {
      redis.disconnect();
    }
    expect((failure as { command?: { args?: unknown[] } }).command?.args).toContain(JSON.stringify({ phone: PHONE }));
    let out = '';
    const log = createLogger('info', 'wfm', new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) }));
    log.error({ err: failure }, 'failed');
    expect(out).not.toContain(PHONE.slice(1));
    expect(JSON.parse(out).err.command).toEqual({ name: 'eval', args: '[redacted]' });
    // the logged error is a copy: the error itself is left as it was
    expect((failure as { command: { args: unknown[] } }).command.args.length).toBe(3);
  });
});
