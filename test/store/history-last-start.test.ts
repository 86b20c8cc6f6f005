import type { Store } from '../../src/store/store';
import { openTestStore } from '../support/service';
import { skillGroup } from '../support/examples';

describe('the last history interval before an instant', () => {
  let store: Store;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = openTestStore());
    await store.skillGroups.putAll([skillGroup()]);
  });
  afterEach(() => close());

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
