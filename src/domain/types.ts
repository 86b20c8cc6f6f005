/**
 * The service's shared vocabulary: skill groups, agents and interval history.
 * Plain data, no behaviour: every area (forecast, staffing, roster, sim, trigger) speaks these types.
 * The JSON shapes over REST are the same (see components/schemas in openapi.yaml).
 */

/** ISO weekday, Monday = 1 … Sunday = 7 (luxon's convention). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Local wall-clock time "HH:mm"; "24:00" is allowed as an end. */
export type LocalTime = string;

export interface WeeklyWindow {
  days: IsoWeekday[];
  /** inclusive start, local time of the skill group's (or agent's) zone */
  from: LocalTime;
  /** exclusive end; "24:00" = midnight at the end of the day */
  to: LocalTime;
}

export interface ServiceLevelTarget {
  /** fraction of offered calls to answer within `answerWithinSeconds`, e.g. 0.8 */
  fraction: number;
  answerWithinSeconds: number;
}

export type Channel = 'voice' | 'chat';

export interface SkillGroup {
  id: string;
  name: string;
  /** IANA zone, e.g. "Asia/Jerusalem"; intervals are aligned to this zone's wall clock */
  timeZone: string;
  intervalMinutes: 15 | 30 | 60;
  serviceLevel: ServiceLevelTarget;
  ahtSeconds: number;
  /** mean caller patience for Erlang A; absent = no abandonment modelled (Erlang C) */
  patienceSeconds?: number;
  /** fraction of paid time not available for calls (breaks, training, absence), 0 ≤ s < 1 */
  shrinkage: number;
  /** cap on agent occupancy, 0 < o ≤ 1 */
  maxOccupancy: number;
  channel: Channel;
  /** chats one agent handles at once (chat only) */
  chatConcurrency?: number;
  /** absent = inferred from history */
  openingHours?: WeeklyWindow[];
  /** skill groups that may take this group's calls when it is overloaded */
  overflowTo: string[];
  /** ISO 3166 country for the public-holiday calendar, e.g. "IL" */
  country?: string;
}

export type AgentKind = 'partner' | 'cloud';

export interface AgentSkill {
  skillGroupId: string;
  /** 0 < p ≤ 1; 1 = fully proficient (default) */
  proficiency?: number;
}

export interface Contract {
  /** contract class for fairness comparisons, e.g. "full-time" */
  class: string;
  minHoursPerWeek: number;
  maxHoursPerWeek: number;
  maxDaysPerWeek: number;
  maxConsecutiveDays: number;
  minRestHours: number;
  /** the two weekly days off must be consecutive (e.g. a rotating weekend) */
  consecutiveDaysOff?: boolean;
}

export type ShiftKind = 'early' | 'day' | 'late' | 'night';

export interface ShiftPreferences {
  preferredShiftKinds?: ShiftKind[];
  preferredDaysOff?: IsoWeekday[];
  avoidWeekends?: boolean;
}

export interface Agent {
  id: string;
  name: string;
  kind: AgentKind;
  skills: AgentSkill[];
  contract: Contract;
  /** weekly windows the agent can work; absent = any time */
  availability?: WeeklyWindow[];
  /** ISO dates (YYYY-MM-DD) the agent does not work */
  daysOff?: string[];
  preferences?: ShiftPreferences;
  /** E.164, e.g. "+972501234567" */
  phone?: string;
  /** cloud agents only: may be called out by SMS in a surge */
  calloutOptIn?: boolean;
  /** zone of the agent's availability windows; default = the service's default zone */
  timeZone?: string;
}

/** One stored interval of history: the sum of all rows that fell into it. */
export interface IntervalVolume {
  skillGroupId: string;
  /** interval start, epoch milliseconds (UTC instant) */
  start: number;
  /** arrivals in the interval; may be fractional (some sources split calls across slots) */
  volume: number;
  /** volume-weighted mean handle time, when the source had it */
  ahtSeconds?: number;
}
