/**
 * The staffing requirement of a whole forecast: for every (skill group, interval) the agents needed on
 * the phone, from the skill group's service level, AHT, patience (Erlang A when present), occupancy
 * cap, chat concurrency and shrinkage.
 *
 * `toLpRequirement` turns it into what the roster LP must cover. The LP places meal and short breaks
 * itself and counts agents net of them, so the part of shrinkage that those scheduled breaks stand for
 * must not be added a second time: pass it as `shrinkageCoveredByBreaks`.
 */
import type { IntervalVolume, SkillGroup } from '../domain/types';
import { invalid, type ProblemDetail } from '../errors/wfm-error';
import type { RequirementRow } from '../roster/types';
import { requiredAgents, type QueuePerformance } from './erlang';

export interface IntervalRequirement {
  skillGroupId: string;
  /** interval start, epoch ms */
  intervalStart: number;
  volume: number;
  ahtSeconds: number;
  /** agents on the phone needed (whole number) */
  rawAgents: number;
  /** rawAgents grossed up for the skill group's full shrinkage */
  agentsWithShrinkage: number;
  /** predicted performance with rawAgents on the phone */
  performance: QueuePerformance;
}

export function validateSkillGroupForStaffing(group: SkillGroup, where: string): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  if (!(group.ahtSeconds > 0)) problems.push({ where: `${where}/ahtSeconds`, message: 'must be > 0' });
  if (!(group.serviceLevel?.fraction > 0 && group.serviceLevel.fraction < 1)) problems.push({ where: `${where}/serviceLevel/fraction`, message: 'must be between 0 and 1' });
  if (!(group.serviceLevel?.answerWithinSeconds >= 0)) problems.push({ where: `${where}/serviceLevel/answerWithinSeconds`, message: 'must be ≥ 0' });
  if (!(group.shrinkage >= 0 && group.shrinkage < 1)) problems.push({ where: `${where}/shrinkage`, message: 'must be 0 ≤ s < 1' });
  if (!(group.maxOccupancy > 0 && group.maxOccupancy <= 1)) problems.push({ where: `${where}/maxOccupancy`, message: 'must be 0 < o ≤ 1' });
  if (group.patienceSeconds !== undefined && !(group.patienceSeconds > 0)) problems.push({ where: `${where}/patienceSeconds`, message: 'must be > 0 when given' });
  if (group.channel === 'chat' && group.chatConcurrency !== undefined && !(Number.isInteger(group.chatConcurrency) && group.chatConcurrency >= 1)) {
    problems.push({ where: `${where}/chatConcurrency`, message: 'must be an integer ≥ 1' });
  }
  return problems;
}

/**
 * Requirement per interval for every forecast row whose skill group is known. Identical inputs
 * (common in quiet night hours) are computed once.
 */
export function requirementPerInterval(skillGroups: SkillGroup[], forecast: IntervalVolume[]): IntervalRequirement[] {
  const groups = new Map(skillGroups.map((g) => [g.id, g]));
  const problems: ProblemDetail[] = skillGroups.flatMap((g, i) => validateSkillGroupForStaffing(g, `/skillGroups/${i}`));
  forecast.forEach((row, i) => {
    if (!groups.has(row.skillGroupId)) problems.push({ where: `/forecast/${i}/skillGroupId`, message: `unknown skill group "${row.skillGroupId}"` });
    if (!(row.volume >= 0)) problems.push({ where: `/forecast/${i}/volume`, message: 'must be ≥ 0' });
  });
  if (problems.length > 0) throw invalid('cannot compute the staffing requirement', problems);

  const memo = new Map<string, ReturnType<typeof requiredAgents>>();
  return forecast.map((row) => {
    const group = groups.get(row.skillGroupId)!;
    const ahtSeconds = row.ahtSeconds !== undefined && row.ahtSeconds > 0 ? row.ahtSeconds : group.ahtSeconds;
    const key = `${group.id}|${row.volume}|${ahtSeconds}`;
    let requirement = memo.get(key);
    if (!requirement) {
      requirement = requiredAgents({
        callsPerInterval: row.volume,
        intervalSeconds: group.intervalMinutes * 60,
        ahtSeconds,
        serviceLevel: group.serviceLevel,
        patienceSeconds: group.patienceSeconds,
        shrinkage: group.shrinkage,
        maxOccupancy: group.maxOccupancy,
        concurrency: group.channel === 'chat' ? (group.chatConcurrency ?? 1) : 1,
      });
      memo.set(key, requirement);
    }
    return {
      skillGroupId: row.skillGroupId,
      intervalStart: row.start,
      volume: row.volume,
      ahtSeconds,
      rawAgents: requirement.rawAgents,
      agentsWithShrinkage: requirement.agentsWithShrinkage,
      performance: requirement.performance,
    };
  });
}

/**
 * What the roster must cover: raw agents grossed up only for the shrinkage that scheduled breaks do
 * not already represent (absence, training, coaching…). Fractional on purpose: rounding each interval
 * up would overstate the need; the LP covers the value in full with whole shifts.
 */
export function toLpRequirement(
  requirements: IntervalRequirement[],
  skillGroups: SkillGroup[],
  options: { shrinkageCoveredByBreaks?: number } = {},
): RequirementRow[] {
  const covered = options.shrinkageCoveredByBreaks ?? 0;
  if (!(covered >= 0 && covered < 1)) throw invalid('shrinkageCoveredByBreaks must be 0 ≤ s < 1');
  const shrinkageOf = new Map(skillGroups.map((g) => [g.id, Math.max(0, g.shrinkage - covered)]));
  return requirements.map((r) => ({
    skillGroupId: r.skillGroupId,
    intervalStart: r.intervalStart,
    required: r.rawAgents / (1 - (shrinkageOf.get(r.skillGroupId) ?? 0)),
  }));
}
