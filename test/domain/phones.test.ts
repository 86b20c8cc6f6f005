/**
 * Phone numbers as the validation keeps them: E.164, whatever separators the team lead pasted.
 */
import type { Agent } from '../../src/domain/types';
import { e164, validateAgents } from '../../src/domain/validate';

describe('phone numbers at validation', () => {
  it('when a number is written with spaces, dashes, dots or brackets, then it is kept in E.164', () => {
    expect(e164('+972 50-123-4567')).toBe('+972501234567');
    expect(e164('+1 (416) 555-0123')).toBe('+14165550123');
    expect(e164(' +49.30.1234.5678 ')).toBe('+493012345678');
    expect(e164('+972501234567')).toBe('+972501234567');
  });

  it('when a number has no country code or is not a number of its country, then it is refused', () => {
    expect(e164('050-123-4567')).toBeUndefined();
    expect(e164('+972 12')).toBeUndefined();
    expect(e164('+972 50 123 4567 ext 2')).toBeUndefined();
  });

  it('when agents are validated, then a formatted phone is stored in E.164 and a bad one is a problem at its pointer', () => {
    const agent = (id: string, phone: string) => ({ id, name: id, kind: 'cloud', calloutOptIn: true, phone, skills: [], contract: { minHoursPerWeek: 0, maxHoursPerWeek: 20, maxDaysPerWeek: 5 } }) as unknown as Agent;
    const agents = [agent('c1', '+972 50-123-4567'), agent('c2', '0501234567')];
    expect(validateAgents(agents, new Map(), '/body')).toEqual([{ where: '/body/1/phone', message: expect.stringContaining('+ and the country code') }]);
    expect(agents[0].phone).toBe('+972501234567');
  });
});
