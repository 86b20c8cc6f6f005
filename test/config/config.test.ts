import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config';
import { WfmError } from '../../src/errors/wfm-error';
import { warnIfNotPersistent } from '../../src/store/redis';
import { REDIS_URL } from '../support/service';

/** The variables a start with this environment is refused for (none: it starts). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as WfmError).details.map((d) => d.where);
  }
}

describe('configuration from the environment', () => {
  test('when nothing is set, then the documented defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', port: 8080, modelDir: 'models', modelVersionsKept: 10, defaultTimeZone: 'UTC', logLevel: 'info', keyPrefix: 'wfm' });
    expect(config.apiKeys.size).toBe(0);
  });

  test('when several values are bad, then one error names every variable with what was expected', () => {
    let error: WfmError | undefined;
    try {
      loadConfig({ PORT: 'eighty', DEFAULT_TIME_ZONE: 'Europe/Atlantis', LOG_LEVEL: 'loud', API_KEYS: 'boss:0123456789abcdef0', WEBHOOK_URL: 'https://sms.example/hook' });
    } catch (err) {
      error = err as WfmError;
    }
    expect(error).toBeInstanceOf(WfmError);
    expect(error!.isCatastrophic).toBe(true);
    expect(error!.details.map((d) => d.where)).toEqual(['PORT', 'DEFAULT_TIME_ZONE', 'LOG_LEVEL', 'WEBHOOK_SECRET', 'API_KEYS']);
  });

  test('when a cron pattern does not parse or never fires, or a variable is set but empty, then start is refused naming it (the schedule would be left unregistered, 0 taken for a number)', () => {
    expect(problems({ RETRAIN_CRON: '0 25 * * *' })).toEqual(['RETRAIN_CRON']);
    expect(problems({ RETRAIN_CRON: '0 2 30 2 *' })).toEqual(['RETRAIN_CRON']);
    expect(problems({ TRIGGER_TICK_CRON: 'a b c d e' })).toEqual(['TRIGGER_TICK_CRON']);
    expect(problems({ PORT: '', TRIGGER_RECENT_CALL_MINUTES: ' ', RETRAIN_TIME_ZONE: '' })).toEqual(['PORT', 'RETRAIN_TIME_ZONE', 'TRIGGER_RECENT_CALL_MINUTES']);
    expect(problems({ WEBHOOK_BACKOFF_MS: '2000', WEBHOOK_MAX_BACKOFF_MS: '1000' })).toEqual(['WEBHOOK_MAX_BACKOFF_MS']);
    expect(problems({ API_KEYS: 'admin:0123456789abcdef-key,planner:0123456789abcdef-key' })).toEqual(['API_KEYS']);
    // 0 would remove the version just replaced while another process loads it
    expect(problems({ MODEL_VERSIONS_KEPT: '0' })).toEqual(['MODEL_VERSIONS_KEPT']);
    expect(problems({ MODEL_VERSIONS_KEPT: '2.5' })).toEqual(['MODEL_VERSIONS_KEPT']);
    expect(problems({ MODEL_VERSIONS_KEPT: '' })).toEqual(['MODEL_VERSIONS_KEPT']);
    expect(loadConfig({ MODEL_VERSIONS_KEPT: '30' }).modelVersionsKept).toBe(30);
    // an empty optional secret or URL is unset; valid patterns, with seconds or in a zone, pass
    expect(problems({ WEBHOOK_URL: '', CLAIM_TOKEN_SECRET: '', RETRAIN_CRON: '30 1 * * 1-5', RETRAIN_TIME_ZONE: 'Europe/Berlin', TRIGGER_TICK_CRON: '*/30 * * * * *' })).toEqual([]);
  });

  test('when REDIS_URL has a port or database that is no number, or WEBHOOK_SECRET is short without a URL, then start is refused naming it', () => {
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:notaport' })).toEqual(['REDIS_URL']);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:99999' })).toEqual(['REDIS_URL']);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379/two' })).toEqual(['REDIS_URL']);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379/2' })).toEqual([]);
    // it signs the answer links when CALLOUT_LINK_SECRET is unset, webhook or not
    expect(problems({ WEBHOOK_SECRET: 'short' })).toEqual(['WEBHOOK_SECRET']);
  });

  test('when API keys are given as role:key pairs, then each key maps to its role', () => {
    const config = loadConfig({ API_KEYS: 'planner:aaaaaaaaaaaaaaaa1, admin:bbbbbbbbbbbbbbbb2' });
    expect([...config.apiKeys.entries()]).toEqual([
      ['aaaaaaaaaaaaaaaa1', 'planner'],
      ['bbbbbbbbbbbbbbbb2', 'admin'],
    ]);
  });
});

describe('Redis persistence check', () => {
  test('when Redis has neither AOF nor RDB, then a warning is logged', async () => {
    const redis = new Redis(REDIS_URL);
    const warnings: string[] = [];
    const log = { warn: (msg: unknown, text?: string) => warnings.push(String(text ?? msg)) } as never;
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save] = (await redis.config('GET', 'save')) as string[];
    const persistent = await warnIfNotPersistent(redis, log);
    expect(persistent).toBe(aof === 'yes' || save.trim() !== '');
    expect(warnings.length).toBe(persistent ? 0 : 1);
    if (!persistent) expect(warnings[0]).toContain('no persistence');
    redis.disconnect();
  });
});
