/**
 * Replaying February 1999 of the real Anonymous Bank log with the agents the log shows on duty must
 * reproduce the observed abandonment and mean wait within the tolerance stated in BENCHMARKS.md.
 */
import { anonbankAvailable, loadAnonbankCalls } from '../../src/datasets/anonbank-files';
import { offeredCalls, observedDays, replaySpecs, serverSessions, type OfferedCall } from '../../src/sim/anonbank-replay';
import { simulate } from '../../src/sim/simulate';

const describeWithData = anonbankAvailable() ? describe : describe.skip;

describe('server sessions from a call log', () => {
  test('when two services are closer than the gap, then they form one session; a longer gap starts another', () => {
    const call = (server: string, startMinute: number, talkSeconds: number): OfferedCall => ({
      arrival: startMinute * 60_000, answered: true, waitSeconds: 0, talkSeconds, server, serviceStart: startMinute * 60_000, type: 'PS',
    });
    const sessions = serverSessions([call('DORIT', 0, 120), call('DORIT', 4, 60), call('DORIT', 30, 60), call('TOVA', 1, 30)], 3);
    expect(sessions.map((s) => [s.agentId, s.start / 60_000, s.end / 60_000])).toEqual([
      ['DORIT', 0, 5],
      ['DORIT', 30, 31],
      ['TOVA', 1, 1.5],
    ]);
  });
});

describeWithData('replay of February 1999', () => {
  // read in beforeAll: jest runs a skipped describe's body too, and without the data that would throw
  let calls: OfferedCall[] = [];
  let observed: ReturnType<typeof observedDays> = [];
  beforeAll(() => {
    calls = offeredCalls(loadAnonbankCalls('02'));
    observed = observedDays(calls);
  });

  test('when the log is read, then offered calls and abandonment match the published February figures', () => {
    const offered = observed.reduce((s, d) => s + d.offered, 0);
    const abandoned = observed.reduce((s, d) => s + d.abandoned, 0);
    expect(observed).toHaveLength(28);
    expect(offered).toBe(14095 + 13067 + 3932 + 31);
    expect(abandoned).toBe(3932 + 31); // hung up while queued, 12.7% of the calls that asked for an agent
  });

  test('when February is replayed with per-server sessions, then monthly abandonment is within 4 pp and mean wait within 15 s of the log', () => {
    let simulatedAbandoned = 0;
    let simulatedWait = 0;
    let offered = 0;
    let observedAbandoned = 0;
    let observedWait = 0;
    for (const { date, spec } of replaySpecs(calls, { staffing: 'sessions', sessionGapMinutes: 3, replications: 3, seed: 1999 })) {
      const totals = simulate(spec).totals[0];
      const day = observed.find((d) => d.date === date)!;
      expect(totals.offered.mean).toBe(day.offered);
      offered += day.offered;
      simulatedAbandoned += totals.abandoned.mean;
      simulatedWait += totals.meanWaitSeconds.mean * day.offered;
      observedAbandoned += day.abandoned;
      observedWait += day.meanWaitSeconds * day.offered;
    }
    expect(Math.abs(simulatedAbandoned / offered - observedAbandoned / offered)).toBeLessThan(0.04);
    expect(Math.abs(simulatedWait / offered - observedWait / offered)).toBeLessThan(15);
  });
});
