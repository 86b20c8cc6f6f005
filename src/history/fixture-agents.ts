/**
 * A realistic, deterministic agent list for the Anonymous Bank skill groups: partners (employees with
 * contracts, availability, days off, preferences) and cloud agents (freelancers reachable by SMS).
 * Every random choice comes from a seeded PRNG, so the same seed always gives the same file.
 */
import type { Agent, AgentSkill, Contract, IsoWeekday, ShiftKind, WeeklyWindow } from '../domain/types';
import { mulberry32 } from '../domain/seeded-random';

export const FIXTURE_AGENT_SEED = 1999;

const FIRST_NAMES = [
  'Dorit', 'Tova', 'Avi', 'Michal', 'Yael', 'Noa', 'Shira', 'Moshe', 'Eli', 'Rina', 'Sharon', 'Gali', 'Ronit',
  'Yossi', 'Dana', 'Tamar', 'Orly', 'Anat', 'Itzik', 'Merav', 'Ofer', 'Ilana', 'Keren', 'Amir', 'Liat', 'Nir',
  'Hadas', 'Sigal', 'Eyal', 'Maya', 'Boaz', 'Efrat', 'Guy', 'Inbal', 'Lior', 'Adi', 'Yaron', 'Osnat', 'Ziv', 'Talia',
];
const LAST_NAMES = [
  'Cohen', 'Levi', 'Mizrahi', 'Peretz', 'Biton', 'Dahan', 'Avraham', 'Friedman', 'Azoulay', 'Katz', 'Malka',
  'Amar', 'Ohana', 'Hadad', 'Gabay', 'Ben-David', 'Shapiro', 'Segal', 'Golan', 'Ashkenazi', 'Vaknin', 'Navon',
];

const SUN_THU: IsoWeekday[] = [7, 1, 2, 3, 4];
const FRIDAY: IsoWeekday[] = [5];
const SATURDAY: IsoWeekday[] = [6];

const FULL_TIME: Contract = { class: 'full-time', minHoursPerWeek: 36, maxHoursPerWeek: 40, maxDaysPerWeek: 5, maxConsecutiveDays: 6, minRestHours: 11 };
const PART_TIME: Contract = { class: 'part-time', minHoursPerWeek: 20, maxHoursPerWeek: 24, maxDaysPerWeek: 5, maxConsecutiveDays: 6, minRestHours: 11 };
const CLOUD: Contract = { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 25, maxDaysPerWeek: 5, maxConsecutiveDays: 6, minRestHours: 11 };

/**
 * Partner skill mix (counts out of 40), following the queues' volumes: regular banking (PS) is 68% of
 * the calls, so most agents are PS-only; specialists also take PS to absorb its overflow.
 */
const PARTNER_SKILL_MIX: Array<{ count: number; skills: string[] }> = [
  { count: 22, skills: ['PS'] },
  { count: 6, skills: ['PS', 'NW'] },
  { count: 4, skills: ['NE', 'PS'] },
  { count: 3, skills: ['IN', 'PS'] },
  { count: 3, skills: ['TT', 'PS'] },
  { count: 2, skills: ['PE', 'PS'] },
];
const CLOUD_SKILL_MIX: Array<{ count: number; skills: string[] }> = [
  { count: 15, skills: ['PS'] },
  { count: 6, skills: ['PS', 'NW'] },
  { count: 2, skills: ['NW'] },
  { count: 2, skills: ['PE', 'PS'] },
];

/** Dates (YYYY-MM-DD) inside the months of history, so rosters planned on them meet the days off. */
const DAY_OFF_MONTHS = ['1999-02', '1999-10'];

export function generateFixtureAgents(seed = FIXTURE_AGENT_SEED): Agent[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number): boolean => random() < p;
  const usedNames = new Set<string>();
  const uniqueName = (): string => {
    for (;;) {
      const name = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const skillsOf = (ids: string[]): AgentSkill[] =>
    // The first skill is the agent's main one; secondary skills are usually a little slower.
    ids.map((id, k) => (k === 0 ? { skillGroupId: id } : { skillGroupId: id, proficiency: pick([0.7, 0.8, 0.9, 1]) }));
  const expand = (mix: Array<{ count: number; skills: string[] }>): string[][] => mix.flatMap((m) => Array.from({ length: m.count }, () => m.skills));

  const agents: Agent[] = [];
  expand(PARTNER_SKILL_MIX).forEach((skills, index) => {
    const fullTime = chance(0.7);
    const availability: WeeklyWindow[] = fullTime ? fullTimeAvailability(random) : partTimeAvailability(random);
    const daysOff = chance(0.4)
      ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${pick(DAY_OFF_MONTHS)}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`)
      : [];
    const preferredShiftKinds: ShiftKind[] = fullTime ? [pick<ShiftKind>(['early', 'day', 'late'])] : [pick<ShiftKind>(['early', 'late'])];
    agents.push({
      id: `P${String(index + 1).padStart(3, '0')}`,
      name: uniqueName(),
      kind: 'partner',
      skills: skillsOf(skills),
      contract: { ...(fullTime ? FULL_TIME : PART_TIME), ...(chance(0.35) ? { consecutiveDaysOff: true } : {}) },
      availability,
      ...(daysOff.length > 0 ? { daysOff: [...new Set(daysOff)].sort() } : {}),
      preferences: {
        preferredShiftKinds,
        ...(chance(0.5) ? { preferredDaysOff: [pick<IsoWeekday>([5, 6]), pick<IsoWeekday>([7, 1, 2, 3, 4])].sort() as IsoWeekday[] } : {}),
        ...(chance(0.4) ? { avoidWeekends: true } : {}),
      },
      phone: israeliMobile(random),
      timeZone: 'Asia/Jerusalem',
    });
  });
  expand(CLOUD_SKILL_MIX).forEach((skills, index) => {
    agents.push({
      id: `C${String(index + 1).padStart(3, '0')}`,
      name: uniqueName(),
      kind: 'cloud',
      skills: skillsOf(skills),
      contract: CLOUD,
      // Cloud agents work from home around other commitments: mostly evenings and the weekend.
      availability: pick([
        [{ days: SUN_THU, from: '16:00', to: '24:00' }],
        [{ days: SUN_THU, from: '08:00', to: '14:00' }],
        [{ days: SUN_THU, from: '18:00', to: '24:00' }, { days: SATURDAY, from: '18:00', to: '24:00' }],
        [{ days: [...SUN_THU, ...FRIDAY], from: '07:00', to: '16:00' }],
      ]),
      phone: israeliMobile(random),
      calloutOptIn: chance(0.85),
      timeZone: 'Asia/Jerusalem',
    });
  });
  return agents;
}

function fullTimeAvailability(random: () => number): WeeklyWindow[] {
  const windows: WeeklyWindow[] = [{ days: SUN_THU, from: '07:00', to: '24:00' }];
  if (random() < 0.5) windows.push({ days: FRIDAY, from: '07:00', to: '16:00' });
  if (random() < 0.3) windows.push({ days: SATURDAY, from: '18:00', to: '24:00' });
  return windows;
}

function partTimeAvailability(random: () => number): WeeklyWindow[] {
  // Students and parents: a morning or an evening block on most weekdays.
  const morning = random() < 0.5;
  const windows: WeeklyWindow[] = [{ days: SUN_THU, from: morning ? '07:00' : '15:00', to: morning ? '15:00' : '24:00' }];
  if (!morning && random() < 0.5) windows.push({ days: SATURDAY, from: '18:00', to: '24:00' });
  return windows;
}

/** E.164 Israeli mobile: +972 5X XXX XXXX. */
function israeliMobile(random: () => number): string {
  const prefix = ['0', '2', '3', '4', '8'][Math.floor(random() * 5)];
  const rest = String(Math.floor(random() * 10_000_000)).padStart(7, '0');
  return `+9725${prefix}${rest}`;
}
