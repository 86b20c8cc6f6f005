/**
 * The simulator's public vocabulary: a scenario to drill (skill groups, roster, arrivals, handle times,
 * patience, routing) and the per-interval results with confidence intervals. Instants are epoch ms.
 */
import type { IntervalVolume, SkillGroup } from '../domain/types';

/** Handle-time distribution of one skill group; the mean defaults to the group's ahtSeconds. */
export type HandleTimeModel =
  | { kind: 'exponential'; meanSeconds?: number }
  | { kind: 'lognormal'; meanSeconds?: number; /** coefficient of variation, default 1 */ cv?: number }
  /** resampled from real talk times */
  | { kind: 'empirical'; samplesSeconds: number[] };

/** Caller patience (time a caller waits before hanging up); default from the group's patienceSeconds. */
export type PatienceModel =
  | { kind: 'none' }
  | { kind: 'exponential'; meanSeconds: number }
  /** resampled from a survival curve estimated from censored waits (see estimatePatience) */
  | { kind: 'empirical'; survival: PatienceSurvival };

/** A step survival curve P(patience > t), as estimated by Kaplan–Meier, with an exponential tail. */
export interface PatienceSurvival {
  /** increasing times (seconds) where the curve steps down */
  timesSeconds: number[];
  /** survival just after each time, non-increasing in (0, 1] */
  survival: number[];
  /** mean of the exponential tail beyond the last time */
  tailMeanSeconds: number;
}

/** "×3 on PS from 13:00 for 2 hours, ramping over 30 minutes". */
export interface ArrivalShock {
  skillGroupId: string;
  /** epoch ms */
  start: number;
  durationMinutes: number;
  /** multiplier on the forecast rate at full strength (0 = no calls) */
  factor: number;
  /** the multiplier ramps linearly from 1 to `factor` over this many minutes after start, and back
   * over the same span before the end (default 0: a step) */
  rampMinutes?: number;
}

export interface ReplayCall {
  skillGroupId: string;
  /** when the call asks for an agent (epoch ms) */
  arrival: number;
  /** real talk time; absent = drawn from the group's handle-time model */
  handleSeconds?: number;
  /** real patience; absent = drawn from the group's patience model */
  patienceSeconds?: number;
}

export type ArrivalSpec =
  /** non-homogeneous Poisson: `volume` calls expected in the interval starting at `start` */
  | { kind: 'forecast'; rates: IntervalVolume[]; scale?: number; shocks?: ArrivalShock[] }
  | { kind: 'replay'; calls: ReplayCall[] };

/** One shift of one agent, as in AssignedShift (src/roster/types.ts), which is assignable to it. */
export interface SimShift {
  agentId: string;
  skillGroupId: string;
  start: number;
  end: number;
  breaks?: Array<{ start: number; end: number }>;
  /** further groups the agent may answer during this shift, after its own (multi-skill agents) */
  extraSkillGroupIds?: string[];
}

export type RosterSpec =
  | { kind: 'shifts'; shifts: SimShift[] }
  /** shortcut: so many agents logged in to a group in each interval (rounded to whole agents) */
  | { kind: 'staffing'; rows: Array<{ skillGroupId: string; start: number; agents: number }>; /** groups every staffed agent can answer, after its own */ extraSkillGroupIds?: string[] };

/** Agents added during the day: callouts, claimed slots. */
export interface AddedAgents {
  /** when they were asked (epoch ms); they log in after `loginDelayMinutes` */
  requestedAt: number;
  loginDelayMinutes: number;
  count: number;
  /** groups they answer, in preference order */
  skillGroupIds: string[];
  /** how long they stay once logged in */
  durationMinutes: number;
}

export type AgentChoice = 'longest-idle' | 'fewest-answered' | 'least-talk-time' | 'random';

export interface RoutingPolicy {
  /** which idle agent takes a call */
  agentChoice: AgentChoice;
  /** unresolved callers go back to the agent who served them (when that agent is logged in) */
  returnToPreviousAgent: boolean;
  /** how long a returning caller waits for a busy previous agent before any agent may take the call
   * (s; default 0: the previous agent when free, otherwise anyone) */
  previousAgentMaxWaitSeconds: number;
  /** a call may go to the groups in its group's overflowTo once it has waited this long (s) */
  overflowAfterSeconds: number;
}

export const POLICY_NAMES = ['longest-idle', 'fewest-answered', 'least-talk-time', 'random', 'previous-agent'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Repeat calls: unresolved callers call again. */
export interface RepeatCallModel {
  /** probability that a call resolves the caller's matter, per group or for all */
  firstCallResolution: number | Record<string, number>;
  /** mean delay before the repeat call (exponential), seconds */
  meanDelaySeconds: number;
  /** handle time of a repeat call served by the same agent, as a fraction of a fresh one (e.g. 0.7) */
  sameAgentHandleFactor: number;
}

/** What an external policy (the surge trigger) sees every simulated minute; arrays are by group index. */
export interface SimState {
  /** epoch ms */
  now: number;
  groupIds: readonly string[];
  queueLength: ArrayLike<number>;
  arrivalsSoFar: ArrayLike<number>;
  answeredSoFar: ArrayLike<number>;
  abandonedSoFar: ArrayLike<number>;
  /** logged-in agents by their first group (busy, idle or finishing a call) */
  agentsLoggedIn: ArrayLike<number>;
  /** logged-in agents with no conversation open (an agent holding chats with slots free is not idle) */
  agentsIdle: ArrayLike<number>;
  /** wait so far of the longest-waiting queued caller, seconds (0 when the queue is empty) */
  oldestWaitSeconds: ArrayLike<number>;
}

export interface SimActions {
  /** add agents now; they log in after the delay (callouts, claimed slots); returns a handle per agent */
  addAgents(request: Omit<AddedAgents, 'requestedAt'>): number[];
  /** send agents added by addAgents home now (one on a call finishes it first) */
  releaseAgents(handles: number[]): void;
}

export type MinuteHook = (state: SimState, actions: SimActions) => void;

export interface SimulationSpec {
  skillGroups: SkillGroup[];
  /** simulated period [from, to), epoch ms; arrivals fall inside it, calls in progress then finish */
  period: { from: number; to: number };
  /** result interval; default the first group's intervalMinutes, on the first group's zone grid */
  intervalMinutes?: number;
  roster: RosterSpec;
  addedAgents?: AddedAgents[];
  arrivals: ArrivalSpec;
  handleTime?: Record<string, HandleTimeModel>;
  patience?: Record<string, PatienceModel>;
  policy?: PolicyName | Partial<RoutingPolicy>;
  repeatCalls?: RepeatCallModel;
  replications?: number;
  seed: number;
  /** calls arriving before period.from + warmupMinutes are left out of the totals (not the intervals) */
  warmupMinutes?: number;
  /** called every `hookEveryMinutes` simulated minutes (default 1) */
  onMinute?: MinuteHook;
  hookEveryMinutes?: number;
  /** called after each replication with (done, total) */
  onProgress?: (done: number, total: number) => void;
}

/** Mean over replications with the half-width of its 95% confidence interval (NaN — null in JSON — with one replication: no spread to read). */
export interface Estimate {
  mean: number;
  halfWidth: number;
}

export interface SimMetrics {
  offered: Estimate;
  answered: Estimate;
  abandoned: Estimate;
  /** answered within the group's answerWithinSeconds, over offered */
  serviceLevel: Estimate;
  /** mean wait of answered calls */
  asaSeconds: Estimate;
  /** mean wait of all offered calls (answered and abandoned) */
  meanWaitSeconds: Estimate;
  abandonRate: Estimate;
  /** mean wait of abandoned callers before they hung up */
  abandonedMeanWaitSeconds: Estimate;
  /** mean handle time of answered calls */
  meanHandleSeconds: Estimate;
  /**
   * busy time over logged-in time of the agents whose first group it is (overflow calls included); a chat
   * of a group with chatConcurrency c counts 1/c of its agent busy, so for chat this is the busy share of
   * the conversation slots, as in staffing (src/staffing/erlang.ts)
   */
  occupancy: Estimate;
  /** mean number of logged-in agents whose first group it is */
  agents: Estimate;
}

export interface IntervalResult extends SimMetrics {
  skillGroupId: string;
  /** epoch ms */
  start: number;
}

export interface GroupTotals extends SimMetrics {
  skillGroupId: string;
}

export interface SimulationResult {
  replications: number;
  seed: number;
  policy: RoutingPolicy;
  intervalMinutes: number;
  /** one row per (interval, group), interval-major */
  intervals: IntervalResult[];
  /** over the whole period after warm-up, per group */
  totals: GroupTotals[];
  /** all groups together */
  overall: SimMetrics;
  /** calls simulated in all replications (repeat calls included) */
  callsSimulated: number;
  /** most calls in the system at once (call slots allocated): memory follows this, not the call count */
  peakCallSlots: number;
}
