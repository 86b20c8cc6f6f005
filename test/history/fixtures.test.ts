import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Agent, SkillGroup } from '../../src/domain/types';
import { validateAgents, validateSkillGroups } from '../../src/domain/validate';
import type { CallRecord } from '../../src/datasets/anonbank';
import { ANONBANK_MONTHS, anonbankAvailable, loadAnonbankCalls } from '../../src/datasets/anonbank-files';
import { buildFixtureSkillGroups, callsToIntervals, queueStatistics } from '../../src/history/anonbank-fixtures';
import { generateFixtureAgents } from '../../src/history/fixture-agents';
import { formatIntervalsCsv } from '../../src/history/format';
import { ingestHistoryOrThrow, skillGroupsById } from '../../src/history/ingest';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const read = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');
const skillGroups = JSON.parse(read('skill-groups.json')) as SkillGroup[];
const agents = JSON.parse(read('agents.json')) as Agent[];

const SKILL_GROUP_KEYS = new Set(['id', 'name', 'timeZone', 'intervalMinutes', 'serviceLevel', 'ahtSeconds', 'patienceSeconds', 'shrinkage', 'maxOccupancy', 'channel', 'chatConcurrency', 'openingHours', 'overflowTo', 'country']);
const AGENT_KEYS = new Set(['id', 'name', 'kind', 'skills', 'contract', 'availability', 'daysOff', 'preferences', 'phone', 'calloutOptIn', 'timeZone']);

describe('fixtures/skill-groups.json', () => {
  it('when read, then every entry has the SkillGroup shape and passes the domain validation', () => {
    expect(skillGroups.map((g) => g.id)).toEqual(['PS', 'NW', 'NE', 'IN', 'TT', 'PE', 'ALL']);
    for (const g of skillGroups) {
      expect(Object.keys(g).filter((k) => !SKILL_GROUP_KEYS.has(k))).toEqual([]);
      expect(g).toMatchObject({ timeZone: 'Asia/Jerusalem', intervalMinutes: 30, channel: 'voice', country: 'IL', shrinkage: 0.3, maxOccupancy: 0.85 });
      expect(g.ahtSeconds).toBeGreaterThan(60);
      expect(g.patienceSeconds).toBeGreaterThan(60);
      expect(g.serviceLevel.fraction).toBe(0.8);
      expect(g.openingHours!.length).toBeGreaterThan(0);
    }
    expect(skillGroups.find((g) => g.id === 'TT')!.serviceLevel.answerWithinSeconds).toBe(60);
    expect(validateSkillGroups(skillGroups, new Map())).toEqual([]);
  });

  it('when the opening hours are read, then they show the bank week: Sun–Thu long days, short Friday, Saturday evening', () => {
    const ps = skillGroups.find((g) => g.id === 'PS')!.openingHours!;
    const windowOf = (day: number) => ps.find((w) => w.days.includes(day as 1));

    expect(windowOf(7)).toMatchObject({ to: '24:00' });
    expect(windowOf(5)!.to <= '16:00').toBe(true);
    expect(windowOf(6)!.from >= '17:00').toBe(true);
  });
});

describe('fixtures/agents.json', () => {
  it('when read, then every entry has the Agent shape and passes the domain validation', () => {
    for (const a of agents) expect(Object.keys(a).filter((k) => !AGENT_KEYS.has(k))).toEqual([]);
    expect(validateAgents(agents, skillGroupsById(skillGroups))).toEqual([]);
  });

  it('when counted, then there are ~40 partners and ~25 cloud agents with E.164 Israeli mobiles', () => {
    const partners = agents.filter((a) => a.kind === 'partner');
    const cloud = agents.filter((a) => a.kind === 'cloud');

    expect(partners).toHaveLength(40);
    expect(cloud).toHaveLength(25);
    expect(cloud.every((a) => /^\+9725\d{8}$/.test(a.phone!))).toBe(true);
    expect(cloud.filter((a) => a.calloutOptIn).length).toBeGreaterThan(cloud.length / 2);
    expect(new Set(partners.map((a) => a.contract.class))).toEqual(new Set(['full-time', 'part-time']));
  });

  it('when the generator runs again with the same seed, then it reproduces the file exactly', () => {
    expect(generateFixtureAgents()).toEqual(agents);
    expect(generateFixtureAgents(7)).not.toEqual(agents);
  });
});

describe('fixtures/*.csv', () => {
  const groups = skillGroupsById(skillGroups);

  it('when the 30-minute history is ingested, then it is accepted with all six queues on the 30-minute grid', () => {
    const { summary } = ingestHistoryOrThrow({ csv: read('history-30min.csv') }, groups);

    expect(summary.map((s) => s.skillGroupId)).toEqual(['IN', 'NE', 'NW', 'PE', 'PS', 'TT']);
    expect(summary.every((s) => s.rowGranularityMinutes === 30)).toBe(true);
    expect(summary.reduce((sum, s) => sum + s.totalVolume, 0)).toBe(98_899);
  });

  it('when the whole-year 6-minute arrivals are ingested, then five slots make one 30-minute interval', () => {
    const { intervals, summary } = ingestHistoryOrThrow({ csv: read('arrivals-6min-1999.csv') }, groups);

    expect(summary[0]).toMatchObject({ skillGroupId: 'ALL', rowGranularityMinutes: 6, first: '1999-01-01T00:00:00+02:00', last: '1999-12-31T23:30:00+02:00' });
    // 365 days × 48 intervals, less the hour that does not exist on 1999-04-02 (spring forward). The
    // repeated hour of 1999-09-03 has only its first pass in the source: that day keeps 48 intervals.
    expect(intervals).toHaveLength(365 * 48 - 2);
    expect(intervals.filter((i) => i.start >= Date.parse('1999-09-02T21:00:00Z') && i.start < Date.parse('1999-09-03T22:00:00Z'))).toHaveLength(48);
    const surge = intervals.find((i) => i.start === Date.parse('1999-02-03T11:00:00Z'))!;
    expect(surge.volume).toBeGreaterThan(374);
  });
});

describe('fixture derivation', () => {
  function call(partial: Partial<CallRecord>): CallRecord {
    return {
      callId: 1, customerId: 1, priority: 1, type: 'PS', arrival: Date.parse('1999-02-01T07:05:00Z'), vruSeconds: 5,
      queueStart: null, queueSeconds: 0, outcome: 'AGENT', serviceStart: null, serviceSeconds: 0, server: 'DORIT', ...partial,
    };
  }

  it('when waits are censored by service, then patience = total queue time / abandonments (exponential MLE)', () => {
    const calls = [
      call({ queueStart: 1, queueSeconds: 30, outcome: 'HANG', server: null }),
      call({ queueStart: 1, queueSeconds: 90, serviceSeconds: 200 }),
      call({ queueStart: 1, queueSeconds: 60, serviceSeconds: 100 }),
      call({ serviceSeconds: 120, server: null }), // VRU-only: not a handle-time observation
    ];

    const stats = queueStatistics('PS', calls);

    expect(stats.patienceSeconds).toBe((30 + 90 + 60) / 1);
    expect(stats.meanServiceSeconds).toBe(150);
    expect(stats).toMatchObject({ queued: 3, abandoned: 1, served: 2 });
  });

  it('when calls are turned into intervals, then PHANTOM and stray queues are dropped and AHT is of served calls', () => {
    const calls = [
      call({ serviceSeconds: 100 }),
      call({ serviceSeconds: 300, arrival: Date.parse('1999-02-01T07:29:59Z') }),
      call({ outcome: 'HANG', server: null }),
      call({ outcome: 'PHANTOM' }),
      call({ type: 'AA' }),
    ];

    expect(callsToIntervals(calls, 30)).toEqual([{ skillGroupId: 'PS', start: Date.parse('1999-02-01T07:00:00Z'), volume: 3, ahtSeconds: 200 }]);
  });

  (anonbankAvailable() ? it : it.skip)('when rebuilt from the real data, then skill groups and history match the committed files', () => {
    const calls = ANONBANK_MONTHS.flatMap((m) => loadAnonbankCalls(m));
    const history = callsToIntervals(calls, 30);
    const { skillGroups: rebuilt } = buildFixtureSkillGroups({ calls, history });

    expect(rebuilt).toEqual(skillGroups);
    expect(formatIntervalsCsv(history, () => 'Asia/Jerusalem', { includeAht: true, ahtDecimals: 1 })).toBe(read('history-30min.csv'));
  });
});
