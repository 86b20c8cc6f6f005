import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createStore, type Store } from '../../src/store/store';
import { deleteKeys, REDIS_URL } from '../support/service';
import { skillGroup } from '../support/examples';

describe('the last history interval before an instant', () => {
  let redis: Redis;
  let store: Store;
  let prefix: string;
  beforeEach(async () => {
    prefix = `test-${randomUUID()}`;
    redis = new Redis(REDIS_URL);
    store = createStore(redis, prefix);
    await store.skillGroups.putAll([skillGroup()]);
  });
  afterEach(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
  });

  test('when history ends on the 2nd of a month and resumes later, then the answer is the interval itself, not the month, within the window asked', async () => {
    const jan2 = Date.UTC(2030, 0, 2, 16, 30);
    const jun10 = Date.UTC(2030, 5, 10, 8);
    await store.history.upsert([Date.UTC(2030, 0, 1, 8), jan2, jun10].map((start) => ({ skillGroupId: 'PS', start, volume: 3 })));
    expect(await store.history.lastStartBefore('PS', Date.UTC(2030, 5, 1), Date.UTC(2030, 0, 1))).toBe(jan2);
    // the window starts after the 2nd: the month (January) is touched, its intervals are not
    expect(await store.history.lastStartBefore('PS', Date.UTC(2030, 5, 1), Date.UTC(2030, 0, 3))).toBeUndefined();
    expect(await store.history.lastStartBefore('PS', Date.UTC(2030, 6, 1), Date.UTC(2030, 0, 3))).toBe(jun10);
    expect(await store.history.lastStartBefore('PS', jun10, Date.UTC(2029, 0, 1))).toBe(jan2);
    expect(await store.history.lastStartBefore('NE', jun10, Date.UTC(2029, 0, 1))).toBeUndefined();
  });
});
