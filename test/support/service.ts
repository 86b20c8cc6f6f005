/**
 * Starts the real service in-process on port 0 against the real Redis, under a fresh key prefix, and
 * removes every key of that prefix afterwards: tests never see each other's data.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '../../src/main';
import { createStore, type Store } from '../../src/store/store';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const KEYS = {
  planner: 'planner-key-0123456789abcdef',
  ingest: 'ingest-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
};

export interface TestService {
  service: RunningService;
  prefix: string;
  http: ReturnType<typeof request>;
  stop: () => Promise<void>;
}

export function testEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    KEY_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    API_KEYS: `planner:${KEYS.planner},ingest:${KEYS.ingest},admin:${KEYS.admin}`,
    SHUTDOWN_GRACE_SECONDS: '5',
    // no drain before the listener closes: a test's service stops at once
    SHUTDOWN_DRAIN_SECONDS: '0',
    // a model directory belongs to one deployment (one KEY_PREFIX): each test's service has its own
    MODEL_DIR: path.join(os.tmpdir(), 'wfm-test-models', prefix),
    ...extra,
  };
}

/**
 * A store on the real Redis, for the tests of one describe block, under a key prefix of its own: opened
 * before them, its keys and connection gone after them. Call it in the describe body; read the store in a test.
 */
export function suiteStore(name: string): () => Store {
  const prefix = `test-${name}-${process.pid}`;
  let redis: Redis | undefined;
  let store: Store | undefined;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    await redis?.quit();
  });
  return () => store!;
}

/**
 * A store on the real Redis under a fresh key prefix, for one test (open it in beforeEach when tests must
 * not see each other's keys; suiteStore shares one across a describe block). `close` removes its keys.
 */
export function openTestStore(): { redis: Redis; store: Store; prefix: string; close: () => Promise<void> } {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  return {
    redis,
    prefix,
    store: createStore(redis, prefix),
    close: async () => {
      redis.disconnect();
      await deleteKeys(prefix);
    },
  };
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function startTestService(extra: Record<string, string> = {}, options: Parameters<typeof startService>[1] = {}): Promise<TestService> {
  const prefix = `test-${randomUUID()}`;
  // every answer of every HTTP test is held to openapi.yaml as well
  const service = await startService(testEnv(prefix, extra), { validateResponses: true, ...options });
  return {
    service,
    prefix,
    http: request(service.server!),
    stop: async () => {
      await service.shutdown('test finished');
      await deleteKeys(prefix);
      if (!extra.MODEL_DIR) await rm(testEnv(prefix).MODEL_DIR, { recursive: true, force: true });
    },
  };
}
