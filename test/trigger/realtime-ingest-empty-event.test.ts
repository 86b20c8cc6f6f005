/** An event that carries nothing to store is refused, not answered "stored" (checkRealtimeBatch). */
import { checkRealtimeBatch } from '../../src/trigger/realtime-ingest';

const groups = new Map([['RAIL', { id: 'RAIL', timeZone: 'Asia/Jerusalem' }]]);
const now = Date.parse('2026-11-25T08:00:00Z');
const minute = '2026-11-25T07:58:00Z';

describe('a realtime event without any measure or signal', () => {
  test('when an event gives only the group and the minute, then it is a problem at its /body/<i> and nothing is kept', () => {
    const { events, problems } = checkRealtimeBatch([{ skill_group: 'RAIL', minute: '2026-11-25T07:57:00Z', arrivals: 3 }, { skill_group: 'RAIL', minute }], groups, now, 35);
    expect(problems).toEqual([{ where: '/body/1', message: expect.stringContaining('carries no measure and no signal') }]);
    expect(events.map((e) => e.arrivals)).toEqual([3]);
  });

  test('when an event has an empty signals object and no measure, then it is refused too', () => {
    const { problems } = checkRealtimeBatch([{ skill_group: 'RAIL', minute, signals: {} }], groups, now, 35);
    expect(problems.map((p) => p.where)).toEqual(['/body/0']);
  });

  test('when an event carries only a signal, or only a zero, then it is stored', () => {
    const { events, problems } = checkRealtimeBatch([{ skill_group: 'RAIL', minute, signals: { app: 1 } }, { skill_group: 'RAIL', minute: '2026-11-25T07:57:00Z', queue_length: 0 }], groups, now, 35);
    expect(problems).toEqual([]);
    expect(events).toHaveLength(2);
  });
});
