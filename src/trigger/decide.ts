/**
 * The decision for one skill group at one tick: fire a callout wave (or a top-up of the running one),
 * or not, and why. Pure: the state, forecast, capacity and clock come in; a Decision record and the
 * next TriggerState go out. The same inputs always give the same decision and the same ids, so a
 * worker that crashed and re-runs a tick decides the same thing again.
 *
 * predictive: fire when a projected bucket beyond the login lead time falls below the threshold;
 *   call enough agents to bring every such bucket to the group's service-level target.
 * reactive:   fire when the queue reaches the threshold (the classic rule); the size is worked out the
 *   same way but on the current arrival rate held flat (no look-ahead).
 */
import type { IsoWeekday, SkillGroup } from '../domain/types';
import { clockTime, inWeeklyWindows, isoWeekday, minuteOfDay, wallClock, windowsReach, MINUTE_MS, HOUR_MS } from '../time/grid';
import { plural } from '../domain/plural';
import { acceptanceRate } from './acceptance';
import { workEnd } from './callouts';
import type { CapacityProjection } from './capacity';
import { projectBuckets } from './projection';
import { withLeadingSignals } from './signals';
import { observedArrivals, recentArrivals } from './realtime-state';
import type { AcceptanceStats, CalloutRecord, Decision, DecisionReason, MinuteForecast, ProjectedBucket, RealtimeState, TriggerPolicy, TriggerState } from './types';

export interface DecideInput {
  group: SkillGroup;
  policy: TriggerPolicy;
  state: TriggerState;
  realtime: RealtimeState;
  forecast: MinuteForecast;
  capacity: CapacityProjection;
  /** this group's callouts (for the record: pending and accepted counts) */
  callouts: CalloutRecord[];
  acceptance: AcceptanceStats;
  /** spare agents lent by overflow groups per coming minute */
  overflowSpare?: number[];
  /** who lends them (their shares add up to overflowSpare): named in the explanation and the inputs */
  overflowLenders?: OverflowLender[];
  /**
   * The projection of this very input (forecast, capacity, queue, overflowSpare) when the caller already
   * made it — tick() projects the groups others overflow into to find their spare agents. Predictive only,
   * and only while no leading signal raises the forecast (tick() checks).
   */
  projection?: ProjectedBucket[];
  /** epoch ms; rounded down to the minute */
  now: number;
}

/** One group this group overflows into, and what it lends it this tick (per coming minute, from now). */
export interface OverflowLender {
  skillGroupId: string;
  /** agents lent to this group (its share of `spare`) */
  lent: number[];
  /** the lender's agents its own projection does not need, before the split among its borrowers */
  spare: number[];
  /** the lender's agents on the phone */
  agents: number[];
  /** the other groups that overflow into it this tick (its spare is split among them by need) */
  sharedWith: string[];
}

export interface DecideOutput {
  decision: Decision;
  state: TriggerState;
}

/**
 * A flat forecast at the rate of the last `minutes` minutes: what a rule without look-ahead assumes. The
 * rate is over the minutes reported (a minute the feed left out is not a minute of no calls); none
 * reported reads 0, which tick() never acts on (it holds a group whose feed is stale).
 */
export function flatForecast(realtime: RealtimeState, now: number, minutes: number, horizonMinutes: number): MinuteForecast {
  const reported = observedArrivals(realtime, now, minutes).filter((v): v is number => v !== null);
  const rate = reported.length ? reported.reduce((a, v) => a + v, 0) / reported.length : 0;
  const flat = new Array<number>(horizonMinutes).fill(rate);
  return { from: now, p10: flat, p50: flat, p90: flat, source: `flat-last-${minutes}-minutes`, heldFlat: true };
}

/**
 * The forecast a decision projects: the last quarter hour held flat for the reactive rule (no look-ahead),
 * the forecast raised by any leading signal otherwise (off records what the predictive trigger would see).
 */
export function decisionForecast(policy: Pick<TriggerPolicy, 'mode' | 'horizonMinutes'>, forecast: MinuteForecast, realtime: RealtimeState, now: number): MinuteForecast {
  return policy.mode === 'reactive' ? flatForecast(realtime, now, 15, policy.horizonMinutes) : withLeadingSignals(forecast, realtime, now);
}

/**
 * The bucket a decision's explanation speaks of: the one the gap comes from, else the actionable one with
 * the lowest service level (null: none is actionable).
 */
function tellingBucket(projection: ProjectedBucket[]): number | null {
  let at: number | null = null;
  for (let k = 0; k < projection.length; k++) {
    const b = projection[k];
    if (!b.actionable) continue;
    if (at === null) {
      at = k;
      continue;
    }
    const a = projection[at];
    const short = (x: ProjectedBucket) => x.requiredAgents - x.agents - x.overflowAgents;
    if (short(b) > short(a) || (short(b) === short(a) && b.serviceLevel < a.serviceLevel)) at = k;
  }
  return at;
}

/** What each overflow group lends over one bucket (means over its minutes), rounded to a tenth of an agent. */
function lentOver(lenders: OverflowLender[], bucket: ProjectedBucket, now: number): NonNullable<Decision['inputs']['overflow']>['lenders'] {
  const first = Math.round((bucket.start - now) / MINUTE_MS);
  const mean = (values: number[]) => {
    let sum = 0;
    for (let k = first; k < first + bucket.minutes; k++) sum += values[k] ?? 0;
    return Math.round((sum / bucket.minutes) * 10) / 10;
  };
  return lenders.map((l) => ({ skillGroupId: l.skillGroupId, lentAgents: mean(l.lent), spareAgents: mean(l.spare), agents: mean(l.agents), sharedWith: l.sharedWith }));
}

function gapOf(projection: ProjectedBucket[]): number {
  let gap = 0;
  for (const b of projection) if (b.actionable) gap = Math.max(gap, b.requiredAgents - b.agents - b.overflowAgents);
  // A fraction of an agent below the need is noise of the averaging, not a reason to call someone.
  return Math.max(0, Math.ceil(gap - 0.25));
}

/**
 * Confirmation guards against noise in the forecast. A breach that the optimistic (p10) forecast shows
 * too is not noise — a fault that multiplies the inflow — and waiting for more ticks would only delay
 * agents who need 15 minutes to log in. That does not hold for the last minutes' rate held flat (no
 * stored forecast): it has no band (p10 = p50), one burst minute breaches "even at p10", and confirmation
 * is what tells it from a surge.
 */
function breachesEvenIfOptimistic(input: DecideInput, forecast: MinuteForecast, now: number): boolean {
  const { group, policy } = input;
  if (forecast.heldFlat) return false;
  const optimistic = projectBuckets({
    group,
    policy: { ...policy, forecastQuantile: 'p10' },
    now,
    forecast,
    capacity: input.capacity,
    backlog: input.realtime.gauges.queueLength,
    overflowSpare: input.overflowSpare,
    withRequirement: false,
  });
  return lowestActionable(optimistic) < policy.serviceLevelThreshold;
}

function lowestActionable(projection: ProjectedBucket[]): number {
  return projection.reduce((m, b) => (b.actionable ? Math.min(m, b.serviceLevel) : m), 1);
}

function inQuietHours(policy: TriggerPolicy, group: SkillGroup, now: number): boolean {
  if (!policy.quietHours || policy.quietHours.length === 0) return false;
  return inWeeklyWindows(policy.quietHours, isoWeekday(now, group.timeZone), minuteOfDay(now, group.timeZone));
}

/**
 * The first minute in (now, until] that falls in quiet hours, or null. A callout sent just before they
 * begin would have its agent answering, or logging in, inside them: it is not sent either.
 */
function quietHoursBefore(policy: TriggerPolicy, group: SkillGroup, now: number, until: number): number | null {
  if (!policy.quietHours || policy.quietHours.length === 0) return null;
  for (let t = now + MINUTE_MS; t <= until; t += MINUTE_MS) if (inQuietHours(policy, group, t)) return t;
  return null;
}

/**
 * The first instant from `at` on that is outside quiet hours: the end of the joined quiet span `at` falls
 * in (22:00–24:00 then 00:00–06:00 end at 06:00, not at midnight), `at` itself when it is outside them,
 * null when they cover the whole week. Jumps from window end to window end on the wall clock; across a
 * DST change the wall clock and the instants part, and there it steps minute by minute (a few nights a year).
 */
function quietHoursEnd(policy: TriggerPolicy, group: SkillGroup, at: number): number | null {
  const windows = policy.quietHours ?? [];
  const giveUp = at + 8 * 24 * HOUR_MS; // quiet for over a week: the weekly windows cover every minute
  let t = at;
  while (t < giveUp) {
    const local = wallClock(t, group.timeZone);
    const minute = local.hour * 60 + local.minute;
    const reached = windowsReach(windows, local.weekday as IsoWeekday, minute);
    if (reached === minute) return t;
    const jump = t + (reached - minute) * MINUTE_MS;
    t = wallClock(jump, group.timeZone).offset === local.offset ? jump : t + MINUTE_MS;
  }
  return null;
}

/** When quiet hours entered at `at` end, for an explanation: "06:00 CET" (with the weekday when a day or more away). */
function quietHoursEndText(policy: TriggerPolicy, group: SkillGroup, at: number, now: number): string {
  const end = quietHoursEnd(policy, group, at);
  if (end === null) return 'they cover the whole week';
  const day = end - now >= 24 * HOUR_MS ? `${wallClock(end, group.timeZone).setLocale('en').toFormat('cccc')} ` : '';
  return `they end at ${day}${clockTime(end, group.timeZone)}`;
}

/**
 * Why an open wave closes whatever the projection says, or null. Each agent is called at most once per
 * wave, so a wave that never closed would in the end leave nobody to call (and keep its answers out of the
 * archive). A wave is one answer to one surge: it lasts at most one callout shift from its start — its
 * first agents are then at the end of theirs, and a surge still going on is answered by a new wave, which
 * may call them again where TRIGGER_RECENT_CALL_MINUTES, rest and weekly hours allow — and it closes when
 * quiet hours begin (nobody is called in them; a surge after them is another).
 */
function waveClosing(policy: TriggerPolicy, group: SkillGroup, state: TriggerState, now: number): string | null {
  if (state.waveId === null) return null;
  if (inQuietHours(policy, group, now)) return `quiet hours have begun: wave ${state.waveId} is closed (nobody is called in them; a surge after them starts a new wave)`;
  const startedAt = state.waveStartedAt ?? state.lastFiredAt;
  if (startedAt === null || now - startedAt < policy.calloutShiftMinutes * MINUTE_MS) return null;
  return `wave ${state.waveId} is closed after ${plural(Math.round((now - startedAt) / MINUTE_MS), 'minute')}, its limit of one callout shift (${policy.calloutShiftMinutes} minutes): a surge still going on is answered by a new wave`;
}

/** When the hourly cap next leaves room for one agent: the firing whose hour ends first that brings the count below the cap. */
function hourlyRoomAt(firings: TriggerState['recentFirings'], cap: number, now: number): number {
  let counted = firings.reduce((a, f) => a + f.agents, 0);
  for (const f of [...firings].sort((a, b) => a.at - b.at)) {
    counted -= f.agents;
    if (counted < cap) return f.at + HOUR_MS;
  }
  return now;
}

export function decide(input: DecideInput): DecideOutput {
  const { group, policy, realtime } = input;
  const now = Math.floor(input.now / MINUTE_MS) * MINUTE_MS;
  const rate = acceptanceRate(input.acceptance, policy.acceptancePrior);
  const recentFirings = input.state.recentFirings.filter((f) => f.at > now - HOUR_MS);
  const calledInLastHour = recentFirings.reduce((a, f) => a + f.agents, 0);
  const queueLength = realtime.gauges.queueLength;
  // Only the predictive mode looks ahead: the leading signals raise its forecast, the reactive rule sees the calls.
  const forecast = decisionForecast(policy, input.forecast, realtime, now);
  // Off still records what the predictive trigger would see ("record only"): a planner can read what it
  // would have done before switching it on.
  const projection =
    policy.mode === 'predictive' && input.projection
      ? input.projection
      : projectBuckets({ group, policy, now, forecast, capacity: input.capacity, backlog: queueLength, overflowSpare: input.overflowSpare });
  const lowestSl = lowestActionable(projection);
  const gap = gapOf(projection);
  // The agents the groups it overflows into are assumed to lend, where the explanation looks: a gap or a
  // service level that counts them says so (they are otherwise only in projection[].overflowAgents).
  const telling = input.overflowLenders?.length ? tellingBucket(projection) : null;
  const overflow = telling === null ? undefined : { bucketStart: projection[telling].start, lenders: lentOver(input.overflowLenders ?? [], projection[telling], now) };
  const lenderText = (l: NonNullable<typeof overflow>['lenders'][number]) =>
    `${l.skillGroupId} (spare ${l.spareAgents} of its ${l.agents}${l.sharedWith.length ? `, shared by need with ${l.sharedWith.join(', ')}` : ''})`;
  const lentText = !overflow
    ? ''
    : overflow.lenders.some((l) => l.lentAgents > 0)
      ? `, after ${overflow.lenders.map((l, i) => `${i === 0 ? plural(l.lentAgents, 'agent') : l.lentAgents} lent by ${lenderText(l)}`).join(' and ')}`
      : `, with none lent by ${overflow.lenders.map(lenderText).join(' or ')}`;
  const looksAhead = policy.mode === 'reactive' ? input.forecast : forecast;
  const forecastOffset = Math.round((now - looksAhead.from) / MINUTE_MS);
  const next30 = (q: 'p10' | 'p50' | 'p90') => looksAhead[q].slice(forecastOffset, forecastOffset + 30).reduce((a, v) => a + v, 0);

  let state: TriggerState = { ...input.state, recentFirings };
  const unanswered = state.waveId === null ? 0 : input.callouts.filter((c) => c.waveId === state.waveId && c.status === 'pending').length;
  const record = (reason: DecisionReason, explanation: string, agentsToCall = 0): DecideOutput => ({
    decision: {
      id: `${group.id}@${now}`,
      skillGroupId: group.id,
      at: now,
      mode: policy.mode,
      fired: agentsToCall > 0,
      reason,
      explanation,
      waveId: state.waveId,
      agentsToCall,
      gapAgents: gap,
      acceptanceRate: rate,
      inputs: {
        queueLength,
        agentsLoggedIn: realtime.gauges.agentsLoggedIn,
        arrivalsLast15Minutes: recentArrivals(realtime, now, 15).reduce((a, v) => a + v, 0),
        forecastSource: forecast.source,
        forecastNext30: { p10: next30('p10'), p50: next30('p50'), p90: next30('p90') },
        pendingCallouts: input.callouts.filter((c) => c.status === 'pending').length,
        acceptedCallouts: input.callouts.filter((c) => c.status === 'accepted' && workEnd(c) > now).length,
        calledInLastHour,
        ...(overflow ? { overflow } : {}),
      },
      projection,
    },
    state,
  });

  const pct = (v: number) => `${Math.round(v * 100)}%`;
  if (policy.mode === 'off') {
    const closed = state.waveId !== null ? `; wave ${state.waveId} closed when the trigger was switched off` : '';
    state = { ...state, waveId: null, waveStartedAt: null, breachTicks: 0 };
    const would = gap > 0 ? `, ${plural(gap, 'more agent')} would reach the ${pct(group.serviceLevel.fraction)} target` : '';
    return record('mode-off', `the trigger is off for this group (record only): lowest projected service level beyond the ${policy.loginLeadMinutes}-minute lead is ${pct(lowestSl)}${lentText}${would}${closed}`);
  }

  const breach = policy.mode === 'predictive' ? lowestSl < policy.serviceLevelThreshold : queueLength >= policy.queueThreshold;
  let breachText =
    policy.mode === 'predictive'
      ? `lowest projected service level beyond the ${policy.loginLeadMinutes}-minute lead is ${pct(lowestSl)} (threshold ${pct(policy.serviceLevelThreshold)})${lentText}`
      : `queue is ${queueLength} (threshold ${policy.queueThreshold})${lentText}`;

  const closing = waveClosing(policy, group, state, now);
  if (closing !== null) {
    // the breach count goes on, so a surge still on starts its new wave at the next tick without confirming it again
    state = { ...state, waveId: null, waveStartedAt: null, breachTicks: breach ? state.breachTicks + 1 : 0 };
    return record('wave-ended', `${breachText}${breach ? '' : ': no breach'}; ${closing}`);
  }

  if (!breach) {
    state = { ...state, breachTicks: 0 };
    // Short of the target yet above the threshold: the trigger calls people only below the threshold,
    // and a record showing a gap beside "no breach" should say why nobody was called.
    const short = gap > 0 ? ` (${plural(gap, 'agent')} short of the ${pct(group.serviceLevel.fraction)} target, but callouts start only below the threshold)` : '';
    if (state.waveId !== null) {
      const endLevel = Math.min(1, policy.serviceLevelThreshold + policy.hysteresis);
      const recovered = policy.mode === 'predictive' ? lowestSl >= endLevel : queueLength < policy.queueThreshold / 2 && gap === 0;
      const endRule =
        policy.mode === 'predictive'
          ? `every projected service level beyond the lead is at least ${pct(endLevel)} (threshold + hysteresis)`
          : `the queue is below ${policy.queueThreshold / 2} (half the threshold) with no gap`;
      if (recovered && unanswered === 0) {
        const ended = state.waveId;
        state = { ...state, waveId: null, waveStartedAt: null };
        return { ...record('wave-ended', `${breachText}: wave ${ended} is over`), state };
      }
      // The projection counts unanswered callouts at the acceptance rate: it clears the band the minute
      // after a wave fired. Ending the wave then would make the replacement of a refusal wait for
      // confirmTicks, as a new wave — the wave ends once its agents have answered.
      const until = recovered
        ? `, but wave ${state.waveId} stays open while ${plural(unanswered, 'callout')} of it ${unanswered === 1 ? 'awaits' : 'await'} an answer (counted at the ${pct(rate)} acceptance rate; a refusal is replaced by a top-up, without new confirming ticks)`
        : `, wave still open until ${endRule}`;
      return record('no-gap', `${breachText}: no breach${short}${until}`);
    }
    return record('no-gap', `${breachText}: no breach${short}`);
  }

  state = { ...state, breachTicks: state.breachTicks + 1 };
  const unconfirmed = state.waveId === null && state.breachTicks < policy.confirmTicks;
  if (unconfirmed && !(policy.mode === 'predictive' && breachesEvenIfOptimistic(input, forecast, now))) {
    return record('breach-unconfirmed', `${breachText}: breach seen ${state.breachTicks} of ${policy.confirmTicks} ticks needed`);
  }
  // A supervisor reading a wave that started on its first breaching tick should not have to know the rule.
  if (unconfirmed) breachText += ` — not waiting for ${policy.confirmTicks} confirming ticks (seen ${state.breachTicks}): even the optimistic p10 forecast breaches`;
  if (inQuietHours(policy, group, now)) return record('quiet-hours', `${breachText}, but callouts are paused in quiet hours (${quietHoursEndText(policy, group, now, now)})`);
  const quietSoon = quietHoursBefore(policy, group, now, now + Math.max(policy.answerWindowMinutes, policy.loginLeadMinutes) * MINUTE_MS);
  if (quietSoon !== null) {
    return record(
      'quiet-hours',
      `${breachText}, but quiet hours begin at ${clockTime(quietSoon, group.timeZone)}, before a callout now would be answered or its agent logged in: callouts are paused (${quietHoursEndText(policy, group, quietSoon, now)})`,
    );
  }
  if (gap === 0) return record('covered-by-pending', `${breachText}, but the capacity on its way (accepted and pending callouts) closes the gap`);
  if (state.lastFiredAt !== null && now - state.lastFiredAt < policy.cooldownMinutes * MINUTE_MS) {
    return record('cooldown', `${breachText}; gap ${plural(gap, 'agent')}, but the last callout was ${plural((now - state.lastFiredAt) / MINUTE_MS, 'minute')} ago (cooldown ${policy.cooldownMinutes})`);
  }
  const room = policy.maxAgentsPerHour - calledInLastHour;
  if (room <= 0) {
    const resumes = clockTime(hourlyRoomAt(recentFirings, policy.maxAgentsPerHour, now), group.timeZone);
    return record(
      'hourly-cap',
      `${breachText}; gap ${plural(gap, 'agent')}, but ${calledInLastHour} ${calledInLastHour === 1 ? 'agent was' : 'agents were'} called in the last hour (cap ${policy.maxAgentsPerHour}): next possible at ${resumes}`,
    );
  }

  const wanted = Math.ceil(gap / rate - 1e-9);
  const agentsToCall = Math.min(wanted, room);
  const startsWave = state.waveId === null;
  const waveId = state.waveId ?? `${group.id}@${now}`;
  state = {
    ...state,
    waveId,
    waveStartedAt: state.waveStartedAt ?? now,
    lastFiredAt: now,
    recentFirings: [...recentFirings, { at: now, agents: agentsToCall }],
    wavesStarted: state.wavesStarted + (startsWave ? 1 : 0),
  };
  const capped = agentsToCall < wanted ? ` (capped from ${wanted} by the hourly limit)` : '';
  return record(
    'fired',
    `${breachText}; ${plural(gap, 'more agent')} on the phone ${gap === 1 ? 'reaches' : 'reach'} the ${pct(group.serviceLevel.fraction)} target, at an acceptance rate of ${pct(rate)} → calling ${agentsToCall}${capped}, ${startsWave ? 'new wave' : 'top-up of wave'} ${waveId}`,
    agentsToCall,
  );
}
