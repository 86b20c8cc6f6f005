/**
 * A quiet-hours decision says when calling can resume, as the hourly cap does ("next possible at …"): the
 * end of the joined quiet span in the group's local time — 22:00–24:00 then 00:00–06:00 end at 06:00, not
 * at midnight — also across a DST change.
 */
import { decide } from '../../src/trigger/decide';
import { initialTriggerState, type TriggerPolicy } from '../../src/trigger/types';
import { flatForecast, group, policy, realtime, steadyCapacity } from './fixtures';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7] as Array<1 | 2 | 3 | 4 | 5 | 6 | 7>;
const NIGHTS: TriggerPolicy['quietHours'] = [
  { days: EVERY_DAY, from: '22:00', to: '24:00' },
  { days: EVERY_DAY, from: '00:00', to: '06:00' },
];

/** A surge (twice the calls 36 agents answer) decided at `now` for a Berlin roadside line. */
function surgeAt(now: number, quietHours: TriggerPolicy['quietHours'] = NIGHTS) {
  return decide({
    group: group({ id: 'PS', timeZone: 'Europe/Berlin', openingHours: [{ days: EVERY_DAY, from: '00:00', to: '24:00' }] }),
    policy: policy({ quietHours }),
    state: initialTriggerState('PS'),
    realtime: realtime(0, 36, 10, now),
    forecast: flatForecast(20, now),
    capacity: steadyCapacity(36, now),
    callouts: [],
    acceptance: { accepted: 0, refused: 0 },
    now,
  }).decision;
}

describe('when quiet hours end, as a quiet-hours decision tells it', () => {
  test('when a storm comes at 02:44 inside 22:00–24:00 + 00:00–06:00, then the explanation names 06:00, not midnight', () => {
    const d = surgeAt(Date.parse('2026-03-03T02:44:00+01:00'));
    expect(d.reason).toBe('quiet-hours');
    expect(d.explanation).toMatch(/but callouts are paused in quiet hours \(they end at 06:00 GMT\+1\)$/);
    // before midnight the two windows are one span too
    expect(surgeAt(Date.parse('2026-03-02T23:10:00+01:00')).explanation).toMatch(/\(they end at 06:00 GMT\+1\)$/);
  });

  test('when the night has a DST change, then the end is 06:00 on the new clock (spring forward and fall back)', () => {
    // Europe/Berlin springs forward 2026-03-29 02:00 → 03:00: from 23:30 Saturday and from 01:30 Sunday
    expect(surgeAt(Date.parse('2026-03-28T23:30:00+01:00')).explanation).toMatch(/\(they end at 06:00 GMT\+2\)$/);
    expect(surgeAt(Date.parse('2026-03-29T01:30:00+01:00')).explanation).toMatch(/\(they end at 06:00 GMT\+2\)$/);
    // and falls back 2026-10-25 03:00 → 02:00: 02:44 on the summer clock, then on the winter clock
    expect(surgeAt(Date.parse('2026-10-25T02:44:00+02:00')).explanation).toMatch(/\(they end at 06:00 GMT\+1\)$/);
    expect(surgeAt(Date.parse('2026-10-25T02:44:00+01:00')).explanation).toMatch(/\(they end at 06:00 GMT\+1\)$/);
    // a window that ends inside the skipped hour ends when the clock jumps past it (03:00), not an hour later
    const intoGap = [{ days: EVERY_DAY, from: '00:00', to: '02:30' }];
    expect(surgeAt(Date.parse('2026-03-29T01:30:00+01:00'), intoGap).explanation).toMatch(/\(they end at 03:00 GMT\+2\)$/);
  });

  test('when quiet hours are about to begin, then the explanation says when they end as well', () => {
    const d = surgeAt(Date.parse('2026-03-02T21:50:00+01:00'));
    expect(d.reason).toBe('quiet-hours');
    expect(d.explanation).toMatch(/but quiet hours begin at 22:00 GMT\+1, before a callout now would be answered or its agent logged in: callouts are paused \(they end at 06:00 GMT\+1\)$/);
  });

  test('when quiet hours last a day or more, then the end names its weekday; when they cover the whole week, then it says so', () => {
    const weekend = [
      { days: [6, 7] as Array<6 | 7>, from: '00:00', to: '24:00' },
      { days: [1] as Array<1>, from: '00:00', to: '06:00' },
    ];
    // Saturday 10:00 → Monday 06:00
    expect(surgeAt(Date.parse('2026-03-07T10:00:00+01:00'), weekend).explanation).toMatch(/\(they end at Monday 06:00 GMT\+1\)$/);
    const always = [{ days: EVERY_DAY, from: '00:00', to: '24:00' }];
    const d = surgeAt(Date.parse('2026-03-04T12:00:00+01:00'), always);
    expect(d.reason).toBe('quiet-hours');
    expect(d.explanation).toMatch(/\(they cover the whole week\)$/);
  });
});
