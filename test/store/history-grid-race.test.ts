/**
 * An upload validated on a group's 30-minute grid and a change of that group to 15 minutes, interleaved
 * both ways (by wrapping the store read that separates each one's check from its write): never both
 * succeed, and the group's history is never on another grid than the group.
 */
import { putSkillGroups } from '../../src/services/configuration';
import { uploadHistory } from '../../src/services/history';
import { isWfmError } from '../../src/errors/wfm-error';
import type { Store } from '../../src/store/store';
import { suiteStore } from '../support/service';
import { skillGroup } from '../support/examples';

const NOW = Date.UTC(2026, 2, 10);
/** 30-minute rows of one morning, on the group's (Asia/Jerusalem) wall clock */
const csv = (id: string) =>
  ['interval_start,skill_group,volume', ...[0, 30, 60, 90].map((m) => `2026-03-02T${String(8 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00+02:00,${id},${10 + m}`)].join('\n');

async function historyOf(store: Store, id: string) {
  return store.history.read(id, Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 3));
}

describe('history upload vs. a change of the group interval', () => {
  const store = suiteStore('history-grid-race');

  test('when the group switches to 15 minutes after the upload was validated on 30, then the upload is a 409 naming the group and writes nothing', async () => {
    const s = store();
    await putSkillGroups(s, [skillGroup({ id: 'G1' })]);
    // the upload reads the groups (30 minutes), and the switch lands before it writes
    const map = s.skillGroups.map.bind(s.skillGroups);
    s.skillGroups.map = async () => {
      const read = await map();
      s.skillGroups.map = map; // once: the change reads the groups too
      await putSkillGroups(s, [skillGroup({ id: 'G1', intervalMinutes: 15 })]);
      return read;
    };
    let err: unknown;
    try {
      err = await uploadHistory(s, { csv: csv('G1') }, { nowMs: NOW }).catch((e: unknown) => e);
    } finally {
      s.skillGroups.map = map;
    }
    expect(isWfmError(err) && err.code).toBe('conflict');
    expect(isWfmError(err) && err.message).toMatch(/skill group G1 changed from 30- to 15-minute intervals while the upload was validated/);
    expect(isWfmError(err) && err.details).toEqual([expect.objectContaining({ where: '/skill-groups/G1' })]);
    expect(await historyOf(s, 'G1')).toEqual([]);
    expect(await s.history.extent('G1')).toBeUndefined();
    // and the group can go back to 30 minutes: it holds no history on any grid
    await putSkillGroups(s, [skillGroup({ id: 'G1', intervalMinutes: 30 })]);
    expect((await s.skillGroups.get('G1'))?.intervalMinutes).toBe(30);
  });

  test('when the upload lands after the change checked for history but before it wrote, then the change is a 409 and the group keeps 30 minutes', async () => {
    const s = store();
    await putSkillGroups(s, [skillGroup({ id: 'G2' })]);
    // the change finds no history, then the upload (still on 30 minutes) lands before the change writes
    const extent = s.history.extent.bind(s.history);
    let uploaded = false;
    s.history.extent = async (id: string) => {
      const read = await extent(id);
      if (!uploaded) {
        uploaded = true;
        await uploadHistory(s, { csv: csv('G2') }, { nowMs: NOW });
      }
      return read;
    };
    let err: unknown;
    try {
      err = await putSkillGroups(s, [skillGroup({ id: 'G2', intervalMinutes: 15 })]).catch((e: unknown) => e);
    } finally {
      s.history.extent = extent;
    }
    expect(uploaded).toBe(true);
    expect(isWfmError(err) && err.code).toBe('conflict');
    expect(isWfmError(err) && err.message).toMatch(/skill group G2 cannot change from 30 to 15 minutes/);
    expect((await s.skillGroups.get('G2'))?.intervalMinutes).toBe(30);
    expect((await historyOf(s, 'G2')).map((iv) => iv.volume)).toEqual([10, 40, 70, 100]);
  });

  test('when nothing interleaves, then an upload on the current grid and a change without history both pass', async () => {
    const s = store();
    await putSkillGroups(s, [skillGroup({ id: 'G3' }), skillGroup({ id: 'G4' })]);
    await uploadHistory(s, { csv: csv('G3') }, { nowMs: NOW });
    expect(await historyOf(s, 'G3')).toHaveLength(4);
    await putSkillGroups(s, [skillGroup({ id: 'G3', name: 'renamed' }), skillGroup({ id: 'G4', intervalMinutes: 15 })]);
    expect((await s.skillGroups.get('G3'))?.name).toBe('renamed');
    expect((await s.skillGroups.get('G4'))?.intervalMinutes).toBe(15);
  });
});
