/**
 * Time zones as the validation keeps them: one spelling per zone, so a group typed "asia/tokyo" and one
 * typed "Asia/Tokyo" are on one clock (a roster across them is not refused as keeping different zones).
 */
import type { Agent, SkillGroup } from '../../src/domain/types';
import { canonicalZone, validateAgents, validateSkillGroups } from '../../src/domain/validate';

function group(id: string, timeZone: string): SkillGroup {
  return {
    id, name: id, timeZone, intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
    ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 0.85, channel: 'voice', overflowTo: [],
  };
}

describe('time zones at validation', () => {
  it('when a zone is typed in another letter case, then it is kept as IANA spells it', () => {
    expect(canonicalZone('asia/tokyo')).toEqual({ ok: true, zone: 'Asia/Tokyo' });
    expect(canonicalZone('ASIA/RIYADH')).toEqual({ ok: true, zone: 'Asia/Riyadh' });
    expect(canonicalZone('etc/gmt+5')).toEqual({ ok: true, zone: 'Etc/GMT+5' });
    expect(canonicalZone('utc')).toEqual({ ok: true, zone: 'UTC' });
    expect(canonicalZone('Asia/Tokyo')).toEqual({ ok: true, zone: 'Asia/Tokyo' });
    expect(canonicalZone('America/Port-au-Prince')).toEqual({ ok: true, zone: 'America/Port-au-Prince' });
  });

  it('when a zone is typed by another of its names, then it is kept under its current IANA name, whatever name the runtime prefers', () => {
    // the runtime's ICU names Kolkata "Asia/Calcutta" and Kyiv "Europe/Kiev": a lower-case "asia/kolkata"
    // was stored as Asia/Calcutta beside another group's Asia/Kolkata, and their roster refused as two zones
    for (const typed of ['Asia/Kolkata', 'asia/kolkata', 'ASIA/KOLKATA', 'Asia/Calcutta']) expect(canonicalZone(typed)).toEqual({ ok: true, zone: 'Asia/Kolkata' });
    expect(canonicalZone('europe/kyiv')).toEqual({ ok: true, zone: 'Europe/Kyiv' });
    expect(canonicalZone('Europe/Kiev')).toEqual({ ok: true, zone: 'Europe/Kyiv' });
    expect(canonicalZone('america/argentina/buenos_aires')).toEqual({ ok: true, zone: 'America/Argentina/Buenos_Aires' });
    expect(canonicalZone('asia/ho_chi_minh')).toEqual({ ok: true, zone: 'Asia/Ho_Chi_Minh' });
    expect(canonicalZone('US/Eastern')).toEqual({ ok: true, zone: 'America/New_York' });
    expect(canonicalZone('Etc/UTC')).toEqual({ ok: true, zone: 'UTC' });
  });

  it('when a zone is an abbreviation or a name without a place (JST, EST, CET), then it is refused naming how it would read; GMT is UTC', () => {
    expect(canonicalZone('JST')).toEqual({ ok: false, message: expect.stringMatching(/^"JST" is an abbreviation or a legacy name, not a place's time zone: give the IANA Area\/Location zone/) });
    expect(canonicalZone('EST')).toMatchObject({ ok: false, message: expect.stringContaining('(it would read as ') });
    expect(canonicalZone('CET')).toMatchObject({ ok: false });
    expect(canonicalZone('GMT')).toEqual({ ok: true, zone: 'UTC' });
    expect(canonicalZone('Mars/Olympus')).toEqual({ ok: false, message: '"Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin)' });
  });

  it('when skill groups and agents are validated, then their zones are written in the one spelling, and an abbreviation is a problem at its pointer', () => {
    const groups = [group('TOKYO1', 'Asia/Tokyo'), group('TOKYO2', 'asia/tokyo'), group('RUH', 'ASIA/RIYADH'), group('IN1', 'asia/kolkata'), group('IN2', 'Asia/Kolkata')];
    expect(validateSkillGroups(groups, new Map(), '/body')).toEqual([]);
    expect(groups.map((g) => g.timeZone)).toEqual(['Asia/Tokyo', 'Asia/Tokyo', 'Asia/Riyadh', 'Asia/Kolkata', 'Asia/Kolkata']);

    expect(validateSkillGroups([group('JP', 'JST')], new Map(), '/body')).toEqual([{ where: '/body/0/timeZone', message: expect.stringContaining('"JST" is an abbreviation') }]);

    const agent = { id: 'a1', name: 'A', kind: 'partner', skills: [{ skillGroupId: 'TOKYO1', level: 1 }], contract: { minHoursPerWeek: 0, maxHoursPerWeek: 40, maxDaysPerWeek: 5 }, timeZone: 'asia/tokyo' } as unknown as Agent;
    expect(validateAgents([agent], new Map(groups.map((g) => [g.id, g])), '/body')).toEqual([]);
    expect(agent.timeZone).toBe('Asia/Tokyo');
  });
});
