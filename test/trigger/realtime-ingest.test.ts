/** Ingest's checks of a realtime batch, pure: the clock and the retention come in. */
import { checkRealtimeBatch } from '../../src/trigger/realtime-ingest';

const T = Date.UTC(2026, 2, 4, 10, 0);
const groups = new Map([['QH', { id: 'QH', timeZone: 'UTC' }]]);
const at = (ms: number) => new Date(ms).toISOString();

describe('realtime minutes ahead of the service clock', () => {
  test('when a minute is 2.1 minutes ahead, then the refusal says 2 minutes 6 seconds, not the 2 minutes allowed', () => {
    const { problems } = checkRealtimeBatch([{ skill_group: 'QH', minute: at(T + 2 * 60_000), arrivals: 1 }], groups, T - 6_000, 35);
    expect(problems).toEqual([{ where: '/body/0/minute', message: 'is 2 minutes 6 seconds in the future (at most 2 minutes allowed for clock skew)' }]);
  });

  test('when a minute is just past the skew allowed, then the seconds over it show, rounded up', () => {
    const { problems } = checkRealtimeBatch([{ skill_group: 'QH', minute: at(T + 2 * 60_000), arrivals: 1 }], groups, T - 300, 35);
    expect(problems[0].message).toMatch(/^is 2 minutes 1 second in the future/);
  });

  test('when a minute is whole minutes ahead, then the message counts them alone', () => {
    const { problems } = checkRealtimeBatch([{ skill_group: 'QH', minute: at(T + 180 * 60_000), arrivals: 1 }], groups, T, 35);
    expect(problems[0].message).toBe('is 180 minutes in the future (at most 2 minutes allowed for clock skew)');
  });

  test('when a minute is exactly the skew allowed ahead, then it is taken', () => {
    expect(checkRealtimeBatch([{ skill_group: 'QH', minute: at(T + 2 * 60_000), arrivals: 1 }], groups, T, 35).problems).toEqual([]);
  });
});
