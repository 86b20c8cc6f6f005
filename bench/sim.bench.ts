/**
 * `npm run bench:sim` — the simulator's targets and fidelity, side by side in one run:
 *  1. throughput on a 200-agent, 3-skill day (target ≥ 1 million simulated calls per second, one core);
 *  2. a 14-day, 1,000-agent roster with breaks, ≈ 500k calls (target ≤ 5 s per replication), and memory
 *     flat in the number of calls (1 day vs 14 days);
 *  3. Erlang C / Erlang A fidelity over a grid of loads up to 1,000 agents;
 *  4. replay of February 1999 (Anonymous Bank) with the staffing read from the log, per day;
 *  5. the railway-study routing comparison (previous agent vs fewest answered).
 * Writes its section into BENCHMARKS.md. BENCH_QUICK=1 runs smaller versions (for development).
 */
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeBenchmarkSection, table } from './report';
import { simulate } from '../src/sim/simulate';
import { erlangA, erlangC } from '../src/staffing/erlang';
import { railwaySpec, RAILWAY_DEFAULTS } from '../src/sim/railway-study';
import { offeredCalls, observedDays, replaySpecs } from '../src/sim/anonbank-replay';
import { anonbankAvailable, loadAnonbankCalls } from '../src/datasets/anonbank-files';
import type { SkillGroup } from '../src/domain/types';
import type { SimShift, SimulationSpec } from '../src/sim/types';

const QUICK = process.env.BENCH_QUICK === '1';
const HOUR = 3_600_000;
const GROUPS = ['PS', 'NW', 'NE'];
const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pct = (x: number, digits = 1) => `${f(100 * x, digits)}%`;

function groups(aht: number, patience: number): SkillGroup[] {
  return GROUPS.map((id) => ({
    id, name: id, timeZone: 'Asia/Jerusalem', intervalMinutes: 30,
    serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, ahtSeconds: aht, patienceSeconds: patience,
    shrinkage: 0.3, maxOccupancy: 0.9, channel: 'voice', overflowTo: [], country: 'IL',
  }));
}

/** Weight of each half hour of a day: closed 00:00–06:00, peaks at 10:00 and 16:00 like the bank. */
function dayProfile(): number[] {
  const w = Array.from({ length: 48 }, (_, h) => {
    const hour = h / 2;
    if (hour < 6) return 0.02;
    return 0.3 + Math.exp(-((hour - 10) ** 2) / 4) + 0.8 * Math.exp(-((hour - 16) ** 2) / 5);
  });
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

function forecastRates(from: number, days: number, callsPerDay: number) {
  const profile = dayProfile();
  const rates = [];
  for (let d = 0; d < days; d++) for (let h = 0; h < 48; h++) {
    for (const [k, id] of GROUPS.entries()) rates.push({ skillGroupId: id, start: from + d * 24 * HOUR + h * HOUR / 2, volume: callsPerDay * profile[h] * [0.6, 0.25, 0.15][k] });
  }
  return rates;
}

const FROM = Date.UTC(1999, 1, 6, 22, 0); // Sunday 1999-02-07 00:00 in Asia/Jerusalem (+02:00)

/** 200 agents on one day, each with two of the three skills, staffed to the profile. */
function dayOf200(replications: number): SimulationSpec {
  const profile = dayProfile();
  // As many calls as 200 agents can take at about 90% occupancy in the busiest half hour.
  const callsPerDay = Math.round((180 * 1800) / 180 / Math.max(...profile));
  const rows = [];
  for (let h = 0; h < 48; h++) {
    // Offered load of the half hour, plus 10%, at most 200 agents split over the groups' shares.
    const erlangs = (callsPerDay * profile[h] * 180) / 1800;
    const agents = Math.min(200, Math.ceil(erlangs / 0.9) + 2);
    for (const [k, id] of GROUPS.entries()) rows.push({ skillGroupId: id, start: FROM + h * HOUR / 2, agents: Math.round(agents * [0.6, 0.25, 0.15][k]) });
  }
  return {
    skillGroups: groups(180, 300),
    period: { from: FROM, to: FROM + 24 * HOUR },
    roster: { kind: 'staffing', rows, extraSkillGroupIds: ['NW'] },
    arrivals: { kind: 'forecast', rates: forecastRates(FROM, 1, callsPerDay) },
    handleTime: Object.fromEntries(GROUPS.map((id) => [id, { kind: 'lognormal' as const, cv: 1 }])),
    policy: 'longest-idle',
    replications,
    seed: 42,
  };
}

/** A 1,000-agent roster over `days` days: 8.5 h shifts (meal + two short breaks), 5 days on, 2 off. */
function rosterOf1000(days: number, callsPerDay: number): SimulationSpec {
  const shifts: SimShift[] = [];
  for (let a = 0; a < 1000; a++) {
    const group = GROUPS[a % 10 < 6 ? 0 : a % 10 < 8 ? 1 : 2];
    for (let d = 0; d < days; d++) {
      if ((d + a) % 7 >= 5) continue; // two days off a week, staggered
      const startHour = 6 + ((a * 7) % 9); // 06:00 … 14:00 local
      const start = FROM + d * 24 * HOUR + startHour * HOUR;
      const end = start + 8.5 * HOUR;
      shifts.push({
        agentId: `agent-${a}`, skillGroupId: group, start, end,
        breaks: [
          { start: start + 2 * HOUR, end: start + 2.25 * HOUR },
          { start: start + 4 * HOUR, end: start + 4.5 * HOUR },
          { start: start + 6.5 * HOUR, end: start + 6.75 * HOUR },
        ],
      });
    }
  }
  return {
    skillGroups: groups(300, 300),
    period: { from: FROM, to: FROM + days * 24 * HOUR },
    roster: { kind: 'shifts', shifts },
    arrivals: { kind: 'forecast', rates: forecastRates(FROM, days, callsPerDay) },
    handleTime: Object.fromEntries(GROUPS.map((id) => [id, { kind: 'lognormal' as const, cv: 1 }])),
    policy: 'longest-idle',
    replications: 1,
    seed: 7,
  };
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const t0 = performance.now();
  const result = run();
  return { result, ms: performance.now() - t0 };
}

/** A full collection before reading the heap (gc is exposed at run time, so no node flag is needed). */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

function main(): void {
  const sections: string[] = [];

  // 1. Throughput on a 200-agent, 3-skill day. The machine is shared, so the run is repeated and the
  // best wall time is reported beside the median and the process CPU time (which contention inflates less).
  simulate(dayOf200(2)); // JIT warm-up
  const runs = Array.from({ length: QUICK ? 2 : 7 }, () => {
    const cpu0 = process.cpuUsage();
    const run = timed(() => simulate(dayOf200(4)));
    const cpu = process.cpuUsage(cpu0);
    return { ...run, cpuMs: (cpu.user + cpu.system) / 1000 };
  });
  const byWall = [...runs].sort((a, b) => a.ms - b.ms);
  const best = byWall[0];
  const median = byWall[Math.floor(byWall.length / 2)];
  const o = best.result.overall;
  const rate = (calls: number, ms: number) => `${f(calls / ms / 1000, 2)} M`;
  sections.push(
    '### Throughput: 200 agents (two of three skills each), one day, lognormal talk times, exponential patience',
    table(['runs × replications', 'calls per run', 'calls / s (best wall)', 'calls / s (median wall)', 'calls / CPU-s (best run)', 'target', 'service level', 'abandoned', 'occupancy'], [[
      `${runs.length} × 4`, best.result.callsSimulated, rate(best.result.callsSimulated, best.ms), rate(median.result.callsSimulated, median.ms),
      rate(best.result.callsSimulated, best.cpuMs), '≥ 1 M', pct(o.serviceLevel.mean), pct(o.abandonRate.mean, 2), pct(o.occupancy.mean),
    ]]),
    `Load average when measured: ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) on ${os.cpus().length} cores.`,
  );

  // 2. 14-day, 1,000-agent roster; memory at 1 day vs 14 days.
  const days = QUICK ? 3 : 14;
  const heapBefore = heapAfterGc();
  const oneDay = timed(() => simulate(rosterOf1000(1, 36_000)));
  const heapOneDay = heapAfterGc() - heapBefore;
  const long = timed(() => simulate(rosterOf1000(days, 36_000)));
  const heapLong = heapAfterGc() - heapBefore;
  const lo = long.result.overall;
  sections.push(
    `### ${days}-day, 1,000-agent roster (shifts with a meal and two short breaks), one replication`,
    table(['period', 'calls', 'wall time', 'target', 'peak calls in system (call slots)', 'heap after run (incl. result)', 'service level', 'occupancy'], [
      ['1 day', oneDay.result.callsSimulated, `${f(oneDay.ms / 1000, 2)} s`, '', oneDay.result.peakCallSlots, `${f(heapOneDay / 2 ** 20)} MiB`, pct(oneDay.result.overall.serviceLevel.mean), pct(oneDay.result.overall.occupancy.mean)],
      [`${days} days`, long.result.callsSimulated, `${f(long.ms / 1000, 2)} s`, '≤ 5 s', long.result.peakCallSlots, `${f(heapLong / 2 ** 20)} MiB`, pct(lo.serviceLevel.mean), pct(lo.occupancy.mean)],
    ]),
    'Memory: statistics are summed per (interval, group) as calls finish; call slots are reused, so what is held is the peak number of calls in the system, not the number simulated. The heap figure includes the per-interval result rows (which grow with the period, not with the calls).',
  );

  // 3. Erlang fidelity.
  const aht = 180;
  const grid: Array<[number, number, number | undefined]> = [
    [5, 3.5, undefined], [20, 17, undefined], [100, 92, undefined], [300, 290, undefined], [1000, 975, undefined],
    [10, 10, 180], [50, 55, 120], [100, 110, 120], [300, 320, 200], [1000, 1050, 300],
  ];
  const fidelityRows: Array<Array<string | number>> = [];
  let inside = 0;
  let checks = 0;
  const stationary = (agents: number, load: number, patience: number | undefined, seed: number) => {
    const callsPerHour = (load * 3600) / aht;
    const hours = QUICK ? 4 : 9;
    const starts = Array.from({ length: hours }, (_, i) => FROM + i * HOUR);
    const g = { ...groups(aht, 1)[0], id: 'A', intervalMinutes: 60 as const, patienceSeconds: patience };
    const result = simulate({
      skillGroups: [g], period: { from: FROM, to: FROM + hours * HOUR },
      roster: { kind: 'staffing', rows: starts.map((start) => ({ skillGroupId: 'A', start, agents })) },
      arrivals: { kind: 'forecast', rates: starts.map((start) => ({ skillGroupId: 'A', start, volume: callsPerHour })) },
      handleTime: { A: { kind: 'exponential' } }, replications: QUICK ? 5 : 20, seed, warmupMinutes: 60,
    }).totals[0];
    const q = { callsPerInterval: callsPerHour, intervalSeconds: 3600, ahtSeconds: aht, agents, answerWithinSeconds: 20 };
    return { result, e: patience ? erlangA({ ...q, patienceSeconds: patience }) : erlangC(q) };
  };
  // A 95% interval misses one time in twenty by design: a point that misses is run again on more seeds,
  // so the reader sees whether the miss is chance (the pooled mean sits on the formula) or a bias.
  const recheckLines: string[] = [];
  const RECHECK_SEEDS = QUICK ? 3 : 8;
  for (const [agents, load, patience] of grid) {
    const { result, e } = stationary(agents, load, patience, 99);
    let missed = false;
    const cell = (est: { mean: number; halfWidth: number }, expected: number, scale: number, digits: number) => {
      const ok = Math.abs(est.mean - expected) <= est.halfWidth;
      checks++;
      if (ok) inside++;
      else missed = true;
      return `${f(expected * scale, digits)} / ${f(est.mean * scale, digits)} ± ${f(est.halfWidth * scale, digits)} ${ok ? '✓' : '✗'}`;
    };
    fidelityRows.push([
      agents, load, patience === undefined ? 'C (none)' : `A (${patience} s)`,
      cell(result.serviceLevel, e.serviceLevel, 100, 2), cell(result.asaSeconds, e.asaSeconds, 1, 2),
      patience === undefined ? `0 / ${f(result.abandonRate.mean * 100, 2)}` : cell(result.abandonRate, e.probAbandon, 100, 2),
    ]);
    if (missed) {
      const runs = Array.from({ length: RECHECK_SEEDS }, (_, k) => stationary(agents, load, patience, 100 + k).result);
      const pooled = (pick: (r: (typeof runs)[number]) => number) => {
        const xs = runs.map(pick);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
        return { mean, halfWidth: (1.96 * sd) / Math.sqrt(xs.length) };
      };
      const sl = pooled((r) => r.serviceLevel.mean);
      const asa = pooled((r) => r.asaSeconds.mean);
      const holds = Math.abs(sl.mean - e.serviceLevel) <= sl.halfWidth && Math.abs(asa.mean - e.asaSeconds) <= asa.halfWidth;
      recheckLines.push(
        `- ${agents} agents, ${load} Erl, ${patience === undefined ? 'Erlang C' : `Erlang A (${patience} s)`}: missed on seed 99; over ${RECHECK_SEEDS} more seeds (${QUICK ? 5 : 20} replications each) service level ${f(sl.mean * 100, 2)} ± ${f(sl.halfWidth * 100, 2)} % (formula ${f(e.serviceLevel * 100, 2)}), ASA ${f(asa.mean, 2)} ± ${f(asa.halfWidth, 2)} s (formula ${f(e.asaSeconds, 2)}) → ${holds ? 'inside: chance, not bias' : 'outside: a bias to investigate'}.`,
      );
    }
  }
  sections.push(
    '### Fidelity: stationary M/M/N vs Erlang C, M/M/N+M vs Erlang A (formula / simulated mean ± 95% CI half-width)',
    `AHT ${aht} s exponential, service level = answered within 20 s over offered, ASA = mean wait of answered calls; ${QUICK ? 5 : 20} replications × ${QUICK ? 3 : 8} h after a 1 h warm-up. ✓ = formula inside the simulation's 95% CI: ${inside} of ${checks}.`,
    table(['agents', 'load (Erl)', 'model', 'service level %', 'ASA s', 'abandoned %'], fidelityRows),
    ...(recheckLines.length ? ['', 'Points that missed, run again on more seeds (a 95% interval misses one time in twenty by design; about 1.25 of 25 checks):', ...recheckLines] : []),
  );

  // 4. Replay of February 1999.
  if (anonbankAvailable()) {
    const calls = offeredCalls(loadAnonbankCalls('02'));
    const observed = new Map(observedDays(calls).map((d) => [d.date, d]));
    const dates = [...observed.keys()].slice(0, QUICK ? 7 : undefined);
    const variants = [
      { key: 'interval', label: 'distinct servers busy in each 15-min interval', options: { staffing: 'distinct-servers' as const, intervalMinutes: 15 as const } },
      { key: 'sessions', label: 'per-server sessions (services ≤ 3 min apart)', options: { staffing: 'sessions' as const, sessionGapMinutes: 3 } },
    ];
    const perVariant = variants.map((v) => {
      const t0 = performance.now();
      const rows = replaySpecs(calls, { ...v.options, dates, replications: QUICK ? 3 : 10, seed: 1999 }).map(({ date, spec }) => ({ date, totals: simulate(spec).totals[0] }));
      return { ...v, rows, ms: performance.now() - t0 };
    });
    const dayRows = dates.map((date) => {
      const obs = observed.get(date)!;
      const cells: Array<string | number> = [date, obs.offered, pct(obs.abandonRate), f(obs.meanWaitSeconds)];
      for (const v of perVariant) {
        const t = v.rows.find((r) => r.date === date)!.totals;
        cells.push(`${pct(t.abandonRate.mean)} ± ${f(100 * t.abandonRate.halfWidth)}`, f(t.meanWaitSeconds.mean));
      }
      return cells;
    });
    const summary = perVariant.map((v) => {
      let offered = 0, obsAbandoned = 0, simAbandoned = 0, obsWait = 0, simWait = 0, absAb = 0, absWait = 0;
      for (const r of v.rows) {
        const obs = observed.get(r.date)!;
        offered += obs.offered; obsAbandoned += obs.abandoned; simAbandoned += r.totals.abandoned.mean;
        obsWait += obs.meanWaitSeconds * obs.offered; simWait += r.totals.meanWaitSeconds.mean * obs.offered;
        absAb += Math.abs(r.totals.abandonRate.mean - obs.abandonRate); absWait += Math.abs(r.totals.meanWaitSeconds.mean - obs.meanWaitSeconds);
      }
      const n = v.rows.length;
      return [v.label, pct(obsAbandoned / offered, 2), pct(simAbandoned / offered, 2), f(obsWait / offered), f(simWait / offered), `${f((100 * absAb) / n, 2)} pp`, `${f(absWait / n)} s`, `${f(v.ms / 1000, 1)} s`];
    });
    sections.push(
      '### Replay of February 1999 (Anonymous Bank): observed vs simulated per day',
      'Exact arrival times of the calls that asked for an agent (answered or hung up in queue), each answered call with its real talk time (hung-up ones draw from the month\'s talk times), one pooled first-come-first-served queue (the log has priorities; we do not model them), patience from a Kaplan–Meier estimate of the month\'s censored queue waits. Agents on duty read from the log two ways.',
      table(['staffing read from the log', 'abandoned (log)', 'abandoned (sim)', 'mean wait s (log)', 'mean wait s (sim)', 'mean abs. daily error, abandoned', 'mean abs. daily error, wait', 'wall time'], summary),
      `Stated tolerance (tested in test/sim/anonbank-replay.test.ts, sessions variant): monthly abandonment within 4 percentage points and mean wait within 15 s of the log. Counting distinct busy servers per interval treats each as available all interval long, which overstates capacity: that variant under-predicts abandonment about 2.5×.`,
      table(['date', 'offered', 'abandoned (log)', 'mean wait s (log)', ...perVariant.flatMap((v) => [`abandoned (${v.key})`, `wait s (${v.key})`])], dayRows),
    );
  }

  // 5. Railway-study routing comparison, at two loads.
  const railRows: Array<Array<string | number>> = [];
  let setup = RAILWAY_DEFAULTS;
  for (const freshCallsPerHour of [300, RAILWAY_DEFAULTS.freshCallsPerHour]) {
    setup = { ...RAILWAY_DEFAULTS, freshCallsPerHour, replications: QUICK ? 3 : RAILWAY_DEFAULTS.replications };
    const base = simulate(railwaySpec('fewest-answered', setup)).overall;
    railRows.push([freshCallsPerHour, 'fewest answered (baseline)', f(base.meanWaitSeconds.mean, 2), f(base.meanHandleSeconds.mean), pct(base.abandonRate.mean, 2), pct(base.occupancy.mean), '', '']);
    for (const maxWait of [0, 20, 60]) {
      const spec = railwaySpec('previous-agent', setup);
      spec.policy = { agentChoice: 'fewest-answered', returnToPreviousAgent: true, previousAgentMaxWaitSeconds: maxWait };
      const r = simulate(spec).overall;
      railRows.push([
        freshCallsPerHour, maxWait === 0 ? 'previous agent when free, else anyone' : `previous agent, callers wait ≤ ${maxWait} s for them`,
        f(r.meanWaitSeconds.mean, 2), f(r.meanHandleSeconds.mean), pct(r.abandonRate.mean, 2), pct(r.occupancy.mean),
        pct(r.meanWaitSeconds.mean / base.meanWaitSeconds.mean - 1), pct(r.meanHandleSeconds.mean / base.meanHandleSeconds.mean - 1),
      ]);
    }
  }
  sections.push(
    '### Routing: unresolved callers back to their previous agent vs fewest answered (railway-hotline study)',
    `Setup (src/sim/railway-study.ts): ${setup.agents} agents each with two of three skills, AHT 240 s lognormal, patience 300 s, first-call resolution ${setup.firstCallResolution}, repeat after ${setup.repeatMeanDelayMinutes} min on average, a repeat served by the same agent takes ${setup.sameAgentHandleFactor}× as long (our assumption; the study does not give it); ${setup.replications} replications × ${setup.hours - 1} h after warm-up. The study reports about −10% mean wait and −15% mean handle time.`,
    table(['fresh calls / h', 'policy', 'mean wait s', 'mean handle s', 'abandoned', 'occupancy', 'wait vs baseline', 'handle vs baseline'], railRows),
    'Reading: sending a caller back only when the previous agent is free cuts the wait (−20% at 84% occupancy) but the handle time only by 4–8%, because the previous agent is seldom free; making callers wait for a busy previous agent cuts handle time further (−10% at 60 s) but multiplies the wait. Our setup does not reproduce "both at once" at the study\'s magnitudes.',
  );

  const body = sections.join('\n\n');
  writeBenchmarkSection('sim', 'Contact-center simulator', 'npm run bench:sim', body);
  process.stdout.write(`${body}\n`);
}

main();
