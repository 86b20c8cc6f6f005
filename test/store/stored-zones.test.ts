/**
 * Zones stored by an earlier release under another name of the zone (it kept "Asia/Calcutta" for a group
 * typed "asia/kolkata") are read under the name validation writes today: a group saved before an upgrade
 * and one saved after share a roster.
 */
import { openTestStore } from '../support/service';
import type { SkillGroup } from '../../src/domain/types';

describe('zones stored by an earlier release', () => {
  it('when a group and an agent were stored as Asia/Calcutta, then they are read as Asia/Kolkata, as a group saved now is', async () => {
    const { redis, store, close } = openTestStore();
    try {
      const group: SkillGroup = {
        id: 'KOL', name: 'Kolkata', timeZone: 'Asia/Calcutta', intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
        ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 0.85, channel: 'voice', overflowTo: [],
      };
      await redis.hset(store.keys.skillGroups(), 'KOL', JSON.stringify(group));
      await redis.hset(store.keys.agents(), 'A1', JSON.stringify({ id: 'A1', name: 'A', kind: 'partner', skills: [{ skillGroupId: 'KOL', level: 1 }], contract: { minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5 }, timeZone: 'Asia/Calcutta' }));
      expect((await store.skillGroups.get('KOL'))?.timeZone).toBe('Asia/Kolkata');
      expect((await store.skillGroups.list()).map((g) => g.timeZone)).toEqual(['Asia/Kolkata']);
      expect((await store.skillGroups.map()).get('KOL')?.timeZone).toBe('Asia/Kolkata');
      expect((await store.agents.get('A1'))?.timeZone).toBe('Asia/Kolkata');
      expect((await store.agents.list()).map((a) => a.timeZone)).toEqual(['Asia/Kolkata']);
    } finally {
      await close();
    }
  });
});
