import { simulate } from '../src/sim/simulate';
import { agentHours, DAY, GROUP_IDS, HOUR, realSpikeSetup, runWithTrigger, syntheticSetup, type ScriptedCallout, type Setup } from './trigger-harness';
const which = process.argv[2] ?? 'storm';
const make = (seed: number) => which === 'real' ? realSpikeSetup(seed)! : which === 'flash' ? syntheticSetup('flash', [{ skillGroupId: 'NE', start: DAY + 14 * HOUR, durationMinutes: 20, factor: 20 }], seed) : syntheticSetup('storm', GROUP_IDS.map((id) => ({ skillGroupId: id, start: DAY + 10 * HOUR, durationMinutes: 240, factor: 3, rampMinutes: 30 })), seed);
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const configs: Array<[string, 'reactive' | 'predictive' | 'off', Record<string, number>, Array<{ minute: number; g: string; n: number }>?]> = JSON.parse(process.argv[3]);
for (const [name, mode, o, script] of configs) {
  let ab = 0, h = 0, off = 0, sl = 0; const t0 = Date.now();
  for (const seed of seeds) {
    const s: Setup = make(seed);
    off += simulate({ ...s.spec, seed }).overall.abandoned.mean / seeds.length;
    const scripted: ScriptedCallout[] = (script ?? []).map((c) => ({ at: s.spec.period.from + c.minute * 60000, skillGroupId: c.g, count: c.n }));
    const r = runWithTrigger(s, mode, seed, o, scripted);
    ab += r.result.overall.abandoned.mean / seeds.length; sl += r.result.overall.serviceLevel.mean / seeds.length; h += agentHours(r.accepted, s.spec.period.to) / seeds.length;
  }
  console.log(`${name.padEnd(28)} abandoned ${ab.toFixed(1).padStart(6)} SL ${(100*sl).toFixed(1)} hours ${h.toFixed(1).padStart(6)}  saved/h ${((off - ab) / h).toFixed(1)}  off ${off.toFixed(1)}  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
