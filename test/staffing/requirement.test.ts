import { requirementPerInterval, toLpRequirement } from '../../src/staffing/requirement';
import { erlangA } from '../../src/staffing/erlang';
import type { IntervalVolume, SkillGroup } from '../../src/domain/types';
import { WfmError } from '../../src/errors/wfm-error';

const voice: SkillGroup = {
  id: 'PS', name: 'PS', timeZone: 'Asia/Jerusalem', intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 },
  ahtSeconds: 180, shrinkage: 0.3, maxOccupancy: 1, channel: 'voice', overflowTo: [],
};
const chat: SkillGroup = { ...voice, id: 'CH', channel: 'chat', chatConcurrency: 2, patienceSeconds: 300, maxOccupancy: 0.85 };

const t0 = Date.UTC(1999, 1, 1, 7, 0);
const HALF_HOUR = 30 * 60_000;

describe('requirement per interval', () => {
  test('when a forecast holds the reference volume, then the interval needs 14 agents and 20 with shrinkage', () => {
    const forecast: IntervalVolume[] = [{ skillGroupId: 'PS', start: t0, volume: 100 }];

    const [row] = requirementPerInterval([voice], forecast);

    expect(row.rawAgents).toBe(14);
    expect(row.agentsWithShrinkage).toBe(20);
    expect(row.performance.serviceLevel).toBeCloseTo(0.888, 3);
    expect(row.intervalStart).toBe(t0);
  });

  test('when rows carry their own AHT, then it overrides the skill group default', () => {
    const forecast: IntervalVolume[] = [
      { skillGroupId: 'PS', start: t0, volume: 100, ahtSeconds: 360 },
      { skillGroupId: 'PS', start: t0 + HALF_HOUR, volume: 100 },
    ];

    const [long, usual] = requirementPerInterval([voice], forecast);

    expect(long.ahtSeconds).toBe(360);
    expect(long.rawAgents).toBeGreaterThan(usual.rawAgents + 8);
  });

  test('when a chat group has patience and concurrency, then Erlang A with 2 chats per agent sets the requirement', () => {
    const forecast: IntervalVolume[] = [{ skillGroupId: 'CH', start: t0, volume: 200 }];

    const [row] = requirementPerInterval([chat], forecast);
    const justBelow = erlangA({ callsPerInterval: 200, intervalSeconds: 1800, ahtSeconds: 180, agents: row.rawAgents - 1, answerWithinSeconds: 20, patienceSeconds: 300, concurrency: 2 });

    expect(row.performance.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(row.performance.occupancy).toBeLessThanOrEqual(0.85);
    expect(justBelow.serviceLevel < 0.8 || justBelow.occupancy > 0.85).toBe(true);
  });

  test('when scheduled breaks stand for part of shrinkage, then the LP requirement grosses up only the rest', () => {
    const rows = requirementPerInterval([voice], [{ skillGroupId: 'PS', start: t0, volume: 100 }]);

    const [full] = toLpRequirement(rows, [voice]);
    const [netOfBreaks] = toLpRequirement(rows, [voice], { shrinkageCoveredByBreaks: 0.1 });

    expect(full.required).toBeCloseTo(14 / 0.7, 9);
    expect(netOfBreaks.required).toBeCloseTo(14 / 0.8, 9);
  });

  test('when a forecast row names an unknown group or a negative volume, then a validation error lists both', () => {
    const act = () =>
      requirementPerInterval([voice], [
        { skillGroupId: 'XX', start: t0, volume: 3 },
        { skillGroupId: 'PS', start: t0, volume: -1 },
      ]);

    expect(act).toThrow(WfmError);
    try {
      act();
    } catch (e) {
      expect((e as WfmError).details.map((d) => d.where)).toEqual(['/forecast/0/skillGroupId', '/forecast/1/volume']);
    }
  });
});
