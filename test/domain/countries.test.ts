/**
 * A skill group's country names its holiday calendar: a region of a country is one (DE-BY), and a code
 * that is not one is refused saying what to write instead.
 */
import type { SkillGroup } from '../../src/domain/types';
import { validateSkillGroups } from '../../src/domain/validate';

const group = (id: string, country: string): SkillGroup => ({
  id, name: id, timeZone: 'Europe/Berlin', country, intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 0.85, channel: 'voice', overflowTo: [],
});

describe('skill-group countries at validation', () => {
  it('when a country or a region of one has a holiday calendar, then it is accepted', () => {
    expect(validateSkillGroups([group('MUC', 'DE-BY'), group('BER', 'DE'), group('SAO', 'BR')], new Map(), '/body')).toEqual([]);
  });

  it('when the code is not one, then the problem at its pointer says what to write', () => {
    expect(validateSkillGroups([group('LON', 'UK'), group('X', 'de'), group('Y', 'DE-XX')], new Map(), '/body')).toEqual([
      { where: '/body/0/country', message: expect.stringContaining('the country\'s code is GB') },
      { where: '/body/1/country', message: expect.stringContaining('write the country code in capitals: "DE"') },
      { where: '/body/2/country', message: expect.stringContaining('DE-BY') },
    ]);
  });
});
