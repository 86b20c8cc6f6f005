/**
 * The surge trigger's vocabulary. Everything here is plain JSON (numbers are epoch ms or counts), so the
 * lead can keep it in Redis, pass it in BullMQ job data and answer it over REST unchanged.
 */
import type { WeeklyWindow } from '../domain/types';

export type TriggerMode = 'predictive' | 'reactive' | 'off';

/** One skill group's trigger policy (admin REST). */
export interface TriggerPolicy {
  skillGroupId: string;
  mode: TriggerMode;
  /** minutes from the message to a cloud agent being logged in */
  loginLeadMinutes: number;
  /** how far ahead the projection looks (the realtime forecast's horizon), minutes */
  horizonMinutes: number;
  /** projection bucket, minutes (the "coming intervals" the service level is projected for) */
  stepMinutes: number;
  /** predictive: fire when a projected service level beyond the lead time falls below this */
  serviceLevelThreshold: number;
  /**
   * predictive: a wave ends only once every projected service level is ≥ threshold + hysteresis (reactive:
   * once the queue is below half its threshold with no gap) and every callout of it has been answered; in
   * any mode it closes one callout shift after it started, or when quiet hours begin
   */
  hysteresis: number;
  /** consecutive breaching ticks before a wave starts (one noisy minute does not call anyone) */
  confirmTicks: number;
  /** reactive: fire when the queue is at least this long */
  queueThreshold: number;
  /** most agents called out in any rolling hour */
  maxAgentsPerHour: number;
  /** minimum minutes between two firings for the group */
  cooldownMinutes: number;
  /** no callouts inside these windows (group zone) */
  quietHours?: WeeklyWindow[];
  /** length of the proposed callout shift, minutes */
  calloutShiftMinutes: number;
  /** which forecast quantile the projection uses: p50 (expected) or p90 (cautious) */
  forecastQuantile: 'p50' | 'p90';
  /** prior for the acceptance rate, used while there are few responses */
  acceptancePrior: { rate: number; weight: number };
  /** a callout without an answer after this many minutes counts as declined (the next agent is called) */
  answerWindowMinutes: number;
  /**
   * predictive: send called-out agents home once the surge has passed (src/trigger/release.ts) — they are
   * told by the same webhook; off = every accepted agent works the whole proposed shift
   */
  releaseWhenSurplus: boolean;
}

export const DEFAULT_POLICY: Omit<TriggerPolicy, 'skillGroupId'> = {
  mode: 'predictive',
  loginLeadMinutes: 15,
  horizonMinutes: 30,
  stepMinutes: 5,
  serviceLevelThreshold: 0.6,
  hysteresis: 0.15,
  confirmTicks: 3,
  queueThreshold: 20,
  maxAgentsPerHour: 20,
  cooldownMinutes: 5,
  calloutShiftMinutes: 120,
  forecastQuantile: 'p50',
  acceptancePrior: { rate: 0.5, weight: 10 },
  answerWindowMinutes: 5,
  releaseWhenSurplus: true,
};

/** One batched realtime event of one skill group for one minute (REST, role `ingest`). */
export interface RealtimeEvent {
  skillGroupId: string;
  /** start of the minute the counts belong to, epoch ms */
  minute: number;
  arrivals?: number;
  handled?: number;
  abandoned?: number;
  /** gauges, as seen at the end of the minute */
  queueLength?: number;
  agentsLoggedIn?: number;
  agentsAvailable?: number;
  /** wait so far of the longest-waiting caller, seconds */
  oldestWaitSeconds?: number;
  /** leading signals, counts per minute by name (e.g. self-service sessions): see src/trigger/signals.ts */
  signals?: Record<string, number>;
}

export interface MinuteCounts {
  minute: number;
  arrivals: number;
  handled: number;
  abandoned: number;
  signals?: Record<string, number>;
  /** the minute holds other counts or signals but its arrivals were not reported (arrivals reads 0): not a minute of no calls */
  arrivalsMissing?: true;
}

/** The folded realtime state of one skill group (what the lead keeps in Redis). */
export interface RealtimeState {
  skillGroupId: string;
  /** per-minute counts inside the retention window, oldest first, one row per minute */
  minutes: MinuteCounts[];
  /** the latest gauges; `at` = the minute they were reported for */
  gauges: { at: number; queueLength: number; agentsLoggedIn: number; agentsAvailable: number; oldestWaitSeconds: number };
}

/** The realtime forecast as an input: expected arrivals per coming minute, with a band. */
export interface MinuteForecast {
  /** first minute of the forecast, epoch ms */
  from: number;
  p10: number[];
  p50: number[];
  p90: number[];
  /** where it came from (model alias), for the decision record */
  source: string;
  /**
   * the last minutes' rate held flat (no stored forecast): no look-ahead and no band, so one burst minute
   * moves all of it — a breach it shows is confirmed over ticks, whatever its p10 says
   */
  heldFlat?: boolean;
}

/** A shift that puts an agent on the phone for a group (AssignedShift and SimShift are assignable). */
export interface ScheduledShift {
  agentId: string;
  skillGroupId: string;
  start: number;
  end: number;
  breaks?: Array<{ start: number; end: number }>;
}

/** A claimed open slot (agents who picked up extra hours). */
export interface ClaimedSlot {
  skillGroupId: string;
  start: number;
  end: number;
  agents: number;
}

export type CalloutStatus = 'pending' | 'accepted' | 'declined' | 'expired' | 'dead-letter';

/** One callout as the lead stores it; `id` = calloutId(waveId, agentId, the agent's incarnation, decisionId). */
export interface CalloutRecord {
  id: string;
  waveId: string;
  decisionId: string;
  agentId: string;
  skillGroupId: string;
  /** when the message was decided, epoch ms */
  requestedAt: number;
  /** expected (pending) or promised (accepted) login, epoch ms */
  loginAt: number;
  /** end of the proposed shift, epoch ms */
  shiftEnd: number;
  /**
   * when the answer window closes, epoch ms: fixed when the callout is decided, as the message and its
   * links say it (a later change of the policy's window leaves it). Absent on callouts stored before it
   * was kept: their policy's window counts from requestedAt.
   */
  answerBy?: number;
  status: CalloutStatus;
  respondedAt?: number;
  /** an accepted agent sent home early because the surge passed (src/trigger/release.ts), epoch ms */
  releasedAt?: number;
}

/** Responses so far, for the learned acceptance rate. */
export interface AcceptanceStats {
  accepted: number;
  /** declined + no answer within the window */
  refused: number;
}

/** The trigger's own per-group memory between ticks (small; kept by the lead beside the policy). */
export interface TriggerState {
  skillGroupId: string;
  /** a wave is running: further firings are top-ups of the same wave */
  waveId: string | null;
  waveStartedAt: number | null;
  /** consecutive ticks whose projection breached the threshold */
  breachTicks: number;
  lastFiredAt: number | null;
  /** firings in the last hour, for the hourly cap */
  recentFirings: Array<{ at: number; agents: number }>;
  /** waves started so far (a counter for reports) */
  wavesStarted: number;
  /** consecutive ticks on which called-out agents were not needed (a release waits for confirmTicks of them) */
  surplusTicks?: number;
}

export function initialTriggerState(skillGroupId: string): TriggerState {
  return { skillGroupId, waveId: null, waveStartedAt: null, breachTicks: 0, lastFiredAt: null, recentFirings: [], wavesStarted: 0 };
}

/** One projected bucket of the coming horizon. */
export interface ProjectedBucket {
  start: number;
  minutes: number;
  /** expected arrivals in the bucket (the chosen quantile) */
  arrivals: number;
  /** callers carried in from earlier buckets (the backlog now for the first) */
  carriedIn: number;
  /** agents expected on the phone: roster + claimed + accepted + pending × acceptance, adjusted to what is logged in now */
  agents: number;
  /** spare agents lent by overflow groups */
  overflowAgents: number;
  serviceLevel: number;
  probAbandon: number;
  /** agents on the phone needed to reach the group's service-level target with this load */
  requiredAgents: number;
  /** beyond the login lead time and calls are expected: a callout can still help here */
  actionable: boolean;
}

export type DecisionReason =
  | 'mode-off'
  | 'quiet-hours'
  | 'no-gap'
  | 'breach-unconfirmed'
  | 'cooldown'
  | 'hourly-cap'
  | 'covered-by-pending'
  | 'fired'
  /**
   * the wave is over: the projection cleared the band with every callout of the wave answered, or the wave
   * reached its limit (one callout shift from its start) or quiet hours began — the explanation says which
   */
  | 'wave-ended'
  /** accepted called-out agents were sent home, the surge having passed (releasedCalloutIds; src/trigger/release.ts) */
  | 'released'
  /** the projection called for agents, but no cloud agent was eligible: nothing was fired */
  | 'no-eligible-agents'
  /** the group's stored inputs could not be read (e.g. an invalid realtime value): this tick skipped it */
  | 'skipped-unreadable-input'
  /** deciding for the group failed (its inputs broke the decision): this tick skipped it, the other groups were decided */
  | 'skipped-decision-failed'
  /**
   * no arrivals minute reported within FEED_STALE_MINUTES (the feed stopped, runs late or its clock is
   * behind): the group is held — nobody called or released, an open wave stays open (tick.ts, heldOnStaleFeed)
   */
  | 'feed-stale';

/** Every decision, fired or not, with its inputs and reason (readable over REST). */
export interface Decision {
  /** deterministic: `${skillGroupId}@${now}` */
  id: string;
  skillGroupId: string;
  at: number;
  mode: TriggerMode;
  fired: boolean;
  reason: DecisionReason;
  /** a sentence a supervisor can read */
  explanation: string;
  waveId: string | null;
  /** agents to call out now (0 unless fired) */
  agentsToCall: number;
  /** extra agents on the phone the projection says are missing beyond the lead time */
  gapAgents: number;
  acceptanceRate: number;
  inputs: {
    queueLength: number;
    agentsLoggedIn: number;
    arrivalsLast15Minutes: number;
    forecastSource: string;
    forecastNext30: { p10: number; p50: number; p90: number };
    pendingCallouts: number;
    acceptedCallouts: number;
    calledInLastHour: number;
    /**
     * The groups it overflows into and what they lend it (agents on the phone, means over the bucket the
     * explanation speaks of: the gap's, else the lowest actionable service level's). Absent when it
     * overflows nowhere (or its targets' feeds are stale, which lend nothing).
     */
    overflow?: {
      bucketStart: number;
      lenders: Array<{
        skillGroupId: string;
        /** agents lent to this group, counted in the projection's overflowAgents */
        lentAgents: number;
        /** the lender's agents its own projection does not need, before they are split by need among its borrowers */
        spareAgents: number;
        /** the lender's agents on the phone */
        agents: number;
        /** other groups overflowing into it this tick */
        sharedWith: string[];
      }>;
    };
  };
  projection: ProjectedBucket[];
  /** the callouts this decision created (filled in by tick once agents are chosen) */
  calloutIds?: string[];
  /** the accepted callouts this decision sent home early (the surge passed) */
  releasedCalloutIds?: string[];
  /** set when the realtime feed was too old to read (reason `feed-stale`) */
  feed?: {
    stale: true;
    /** the last minute with arrivals reported, epoch ms; null when none was in the minutes read */
    lastArrivalsMinute: number | null;
    /** minutes from that minute's start to the decision's minute */
    minutesSince: number | null;
    staleAfterMinutes: number;
  };
}
