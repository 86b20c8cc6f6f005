/**
 * One replication of the discrete-event simulation, on a compiled scenario (./scenario.ts).
 *
 * Hot-path data lives in typed arrays: calls are slots (reused through a free list), agents are
 * indexes, the event list is a binary heap (./event-queue.ts) and idle agents wait in one heap per
 * group keyed by the routing policy. Statistics are summed per (interval, group) as calls finish, so
 * memory does not grow with the number of calls. Time is in seconds since the period start.
 *
 * Common random numbers: arrivals and every fresh call's handle time and patience come from their own
 * stream, drawn when the call arrives, so two runs on the same seed see the very same callers whatever
 * the staffing or routing (a callout policy compared with another on one seed differs only by what the
 * policies did, not by reshuffled luck). Routing choices and repeat calls draw from a second stream.
 *
 * Chat concurrency: an agent holds up to a chat group's chatConcurrency c conversations at once, each
 * lasting its own handle time, as staffing assumes (N agents are N·c servers, src/staffing/erlang.ts).
 * A chat of a group with concurrency c fills 1/c of its agent, a voice call (or a chat with c = 1) the
 * whole agent, so an agent never holds a voice call and chats together. An agent holding chats takes
 * another chat while it still fits (c chats of one group; chats of groups with different c by their
 * shares); one with no conversation takes whatever waits longest, voice or chat, as before. A new chat
 * goes to an idle agent first, then to the least loaded agent holding chats (ties by the routing
 * policy's key), so the load spreads. Going on a break or logging off, an agent finishes its open chats
 * and takes no new one, as it finishes a voice call. Busy time counts a chat as its 1/c of the agent, so
 * occupancy is the busy share of conversation slots, as in staffing. Voice-only scenarios run exactly
 * as before (same draws).
 */
import { invalid } from '../errors/wfm-error';
import { EventQueue } from './event-queue';
import type { Sfc32 } from './rng';
import type { AddedAgents, AgentChoice, MinuteHook, SimActions, SimState } from './types';

/** Slots of the per-(interval, group) statistics vector. */
export const S_OFFERED = 0;
export const S_ANSWERED = 1;
export const S_ABANDONED = 2;
export const S_ANSWERED_WITHIN = 3;
export const S_WAIT_ANSWERED = 4;
export const S_WAIT_ABANDONED = 5;
export const S_HANDLE = 6;
export const S_BUSY_SECONDS = 7;
export const S_STAFFED_SECONDS = 8;
export const STAT_SLOTS = 9;

export const HANDLE_EXPONENTIAL = 0;
export const HANDLE_LOGNORMAL = 1;
export const HANDLE_EMPIRICAL = 2;
export const PATIENCE_NONE = 0;
export const PATIENCE_EXPONENTIAL = 1;
export const PATIENCE_EMPIRICAL = 2;

export interface CompiledScenario {
  groupIds: string[];
  groupCount: number;
  /** interval boundaries in seconds since the period start; length intervalCount + 1 */
  boundaries: Float64Array;
  intervalCount: number;
  periodSeconds: number;
  /** epoch ms of second 0 */
  epochStart: number;
  answerWithinSeconds: Float64Array;
  /** conversations one agent holds at once for the group's calls: chatConcurrency for chat, 1 for voice */
  concurrency: Int32Array;
  /** CSR: groups that may take group g's calls after the overflow wait */
  overflowStart: Int32Array;
  overflowTargets: Int32Array;
  /** forecast arrivals per second, [interval * groupCount + g]; null for replay */
  rates: Float64Array | null;
  /** upper bound of the shock multiplier inside [interval * groupCount + g] (1 without shocks) */
  rateBound: Float64Array | null;
  /** 1 where a shock touches [interval * groupCount + g], so arrivals there are thinned; null for replay */
  shocked: Uint8Array | null;
  /** shocks by group: flat [start, end, ramp, factor] quadruples in seconds */
  shocksByGroup: Float64Array[];
  replay: { arrival: Float64Array; group: Int32Array; handle: Float64Array; patience: Float64Array } | null;
  handleKind: Int32Array;
  handleA: Float64Array;
  handleB: Float64Array;
  handleSamples: Float64Array[];
  patienceKind: Int32Array;
  patienceMean: Float64Array;
  patienceTimes: Float64Array[];
  patienceSurvival: Float64Array[];
  /** logged-in segments of agents, sorted by start */
  segmentAgent: Int32Array;
  segmentStart: Float64Array;
  segmentEnd: Float64Array;
  segmentSkillset: Int32Array;
  agentCount: number;
  /** CSR skill sets: groups an agent answers, in preference order (first = its own group) */
  skillsetStart: number[];
  skillsetGroups: number[];
  /** CSR per skill set: other groups whose calls overflow to it */
  skillsetOverflowStart: number[];
  skillsetOverflowSources: number[];
  agentChoice: AgentChoice;
  returnToPreviousAgent: boolean;
  previousAgentMaxWaitSeconds: number;
  overflowAfterSeconds: number;
  /** probability a call is resolved, by group; null = no repeat calls */
  firstCallResolution: Float64Array | null;
  repeatMeanDelaySeconds: number;
  sameAgentHandleFactor: number;
  /** starts of local days (seconds), for the "today" counters of the agent-choice policies */
  dayStarts: Float64Array;
  hook: MinuteHook | null;
  hookEverySeconds: number;
  /** resolves a list of group ids to a skill set index (adds it when new) */
  skillsetFor(groupIndexes: number[]): number;
}

const K_ARRIVAL = 0;
const K_REPLAY = 1;
const K_SERVICE_END = 2;
const K_ABANDON = 3;
const K_OVERFLOW = 4;
const K_LOGIN = 5;
const K_LOGOUT = 6;
const K_HOOK = 7;
const K_REPEAT = 8;
const K_RELEASE = 9;
/** a chat (a conversation of a group with concurrency > 1) ends; subject = the call slot */
const K_CHAT_END = 10;

const CALL_FREE = 0;
const CALL_QUEUED = 1;
const CALL_PERSONAL = 2;
const CALL_IN_SERVICE = 3;
const CALL_PENDING_REPEAT = 4;

/** slack on an agent's chat load (a sum of 1/c): three chats of 1/3 fill an agent, not overfill it */
const CHAT_LOAD_TOLERANCE = 1e-9;

const CHOICE_LONGEST_IDLE = 0;
const CHOICE_FEWEST_ANSWERED = 1;
const CHOICE_LEAST_TALK = 2;
const CHOICE_RANDOM = 3;
const CHOICE_CODES: Record<AgentChoice, number> = {
  'longest-idle': CHOICE_LONGEST_IDLE,
  'fewest-answered': CHOICE_FEWEST_ANSWERED,
  'least-talk-time': CHOICE_LEAST_TALK,
  random: CHOICE_RANDOM,
};

const AGENT_OFF = 0;
const AGENT_IDLE = 1;
const AGENT_BUSY = 2;

/**
 * Available agents of one group, min-heap on (rank, policy key); stale entries are skipped lazily. The
 * rank is 0 for idle agents; in a group's heap of agents holding chats it is their chat load, so the top
 * is the least loaded.
 */
class IdleHeap {
  keys = new Float64Array(64);
  ranks = new Float64Array(64);
  agents = new Int32Array(64);
  stamps = new Int32Array(64);
  size = 0;

  push(key: number, agent: number, stamp: number, rank = 0): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      const ranks = new Float64Array(this.size * 2);
      ranks.set(this.ranks);
      const agents = new Int32Array(this.size * 2);
      agents.set(this.agents);
      const stamps = new Int32Array(this.size * 2);
      stamps.set(this.stamps);
      this.keys = keys;
      this.ranks = ranks;
      this.agents = agents;
      this.stamps = stamps;
    }
    const keys = this.keys;
    const ranks = this.ranks;
    const agents = this.agents;
    const stamps = this.stamps;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (ranks[parent] < rank || (ranks[parent] === rank && keys[parent] <= key)) break;
      keys[i] = keys[parent];
      ranks[i] = ranks[parent];
      agents[i] = agents[parent];
      stamps[i] = stamps[parent];
      i = parent;
    }
    keys[i] = key;
    ranks[i] = rank;
    agents[i] = agent;
    stamps[i] = stamp;
  }

  popTop(): void {
    const keys = this.keys;
    const ranks = this.ranks;
    const agents = this.agents;
    const stamps = this.stamps;
    const n = --this.size;
    if (n === 0) return;
    const key = keys[n];
    const rank = ranks[n];
    const agent = agents[n];
    const stamp = stamps[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (ranks[child + 1] < ranks[child] || (ranks[child + 1] === ranks[child] && keys[child + 1] < keys[child]))) child++;
      if (ranks[child] > rank || (ranks[child] === rank && keys[child] >= key)) break;
      keys[i] = keys[child];
      ranks[i] = ranks[child];
      agents[i] = agents[child];
      stamps[i] = stamps[child];
      i = child;
    }
    keys[i] = key;
    ranks[i] = rank;
    agents[i] = agent;
    stamps[i] = stamp;
  }

  /** Drops stale entries and re-heapifies (keeps a group nobody takes calls from from growing). */
  compact(isValid: (agent: number, stamp: number) => boolean): void {
    const entries: Array<[number, number, number, number]> = [];
    for (let i = 0; i < this.size; i++) {
      if (isValid(this.agents[i], this.stamps[i])) entries.push([this.keys[i], this.agents[i], this.stamps[i], this.ranks[i]]);
    }
    this.size = 0;
    for (const [key, agent, stamp, rank] of entries) this.push(key, agent, stamp, rank);
  }
}

function growFloat(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}
function growInt(array: Int32Array, capacity: number, fill = 0): Int32Array<ArrayBuffer> {
  const next = new Int32Array(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** The replication's two random streams (see the header). */
export interface ReplicationStreams {
  /** arrival times, and handle time and patience of each fresh call, drawn on arrival */
  calls: Sfc32;
  /** random agent choice, repeat calls and their handle times and patience */
  routing: Sfc32;
}

/**
 * Runs one replication, adding into `stats` ([interval][group][STAT_SLOTS]); returns the number of
 * calls simulated (repeat calls included) and the most call slots in use at once.
 */
export function runReplication(scenario: CompiledScenario, streams: ReplicationStreams, stats: Float64Array): { calls: number; peakCallSlots: number } {
  const replication = new Replication(scenario, streams, stats);
  const calls = replication.run();
  return { calls, peakCallSlots: replication.peakCallSlots };
}

class Replication {
  private readonly sc: CompiledScenario;
  private readonly rng: Sfc32;
  private readonly callRng: Sfc32;
  private readonly stats: Float64Array;
  private readonly events = new EventQueue(4096);
  private readonly G: number;
  private readonly choice: number;
  private now = 0;
  private clockInterval = 0;
  private callsSimulated = 0;
  private callsInSystem = 0;

  // calls
  private callCapacity = 1024;
  private callArrival = new Float64Array(1024);
  private callGroup = new Int32Array(1024);
  private callInterval = new Int32Array(1024);
  private callHandle = new Float64Array(1024);
  private callPatience = new Float64Array(1024);
  private callPrevAgent = new Int32Array(1024);
  private callIsRepeat = new Int32Array(1024);
  private callState = new Int32Array(1024);
  private callGeneration = new Int32Array(1024);
  private callPrev = new Int32Array(1024);
  private callNext = new Int32Array(1024);
  /** agent and start of a chat in service (voice calls are found from the agent: agentCall) */
  private callAgent = new Int32Array(1024);
  private callServiceStart = new Float64Array(1024);
  private freeCalls = new Int32Array(1024);
  private freeCount = 0;
  private nextFreshCall = 0;
  get peakCallSlots(): number {
    return this.nextFreshCall;
  }

  // groups
  private readonly queueHead: Int32Array;
  private readonly queueTail: Int32Array;
  private readonly queueLength: Int32Array;
  private readonly arrivalsSoFar: Float64Array;
  private readonly answeredSoFar: Float64Array;
  private readonly abandonedSoFar: Float64Array;
  private readonly loggedIn: Int32Array;
  private readonly busy: Int32Array;
  private readonly idle: Int32Array;
  private readonly integratedUntil: Float64Array;
  private readonly integratedInterval: Int32Array;
  private readonly idleHeaps: IdleHeap[];
  /** per group: agents holding chats who can take one more of the group's chats, ranked by open chats */
  private readonly chatHeaps: IdleHeap[];
  /** per group: the share of an agent one of its chats fills (1/c; 1 for voice) */
  private readonly chatShare: Float64Array;
  /** per group: the smallest share of the chats its agents take, its own or those overflowing to it */
  private readonly smallestShareInto: Float64Array;
  private readonly arrivalInterval: Int32Array;

  // agents
  private agentCapacity: number;
  private agentState: Int32Array;
  private agentLoginCount: Int32Array;
  private agentSkillset: Int32Array;
  private agentHomeGroup: Int32Array;
  private agentBusyGroup: Int32Array;
  private agentCall: Int32Array;
  /** chats the agent holds now (0 on a voice call) */
  private agentOpenChats: Int32Array;
  /** the share of the agent they fill: Σ 1/c over its open chats (0 with none) */
  private agentChatLoad: Float64Array;
  private agentIdleStamp: Int32Array;
  private agentAnswered: Float64Array;
  private agentTalk: Float64Array;
  private agentDay: Int32Array;
  private agentPersonalHead: Int32Array;
  private agentPersonalTail: Int32Array;
  private agentCount: number;

  // dynamic login segments (added by the hook) are numbered after the static ones
  private dynamicSegments: Array<{ agent: number; end: number; skillset: number; released?: boolean; loggedOut?: boolean }> = [];
  private readonly staticSegments: number;
  private nextReplay = 0;

  constructor(sc: CompiledScenario, streams: ReplicationStreams, stats: Float64Array) {
    this.sc = sc;
    this.rng = streams.routing;
    this.callRng = streams.calls;
    this.stats = stats;
    const G = (this.G = sc.groupCount);
    this.choice = CHOICE_CODES[sc.agentChoice];
    this.queueHead = new Int32Array(G).fill(-1);
    this.queueTail = new Int32Array(G).fill(-1);
    this.queueLength = new Int32Array(G);
    this.arrivalsSoFar = new Float64Array(G);
    this.answeredSoFar = new Float64Array(G);
    this.abandonedSoFar = new Float64Array(G);
    this.loggedIn = new Int32Array(G);
    this.busy = new Int32Array(G);
    this.idle = new Int32Array(G);
    this.integratedUntil = new Float64Array(G);
    this.integratedInterval = new Int32Array(G);
    this.arrivalInterval = new Int32Array(G);
    this.idleHeaps = Array.from({ length: G }, () => new IdleHeap());
    this.chatHeaps = Array.from({ length: G }, () => new IdleHeap());
    this.chatShare = Float64Array.from(sc.concurrency, (c) => 1 / c);
    this.smallestShareInto = Float64Array.from(this.chatShare);
    for (let g = 0; g < G; g++) {
      for (let k = sc.overflowStart[g]; k < sc.overflowStart[g + 1]; k++) {
        const target = sc.overflowTargets[k];
        this.smallestShareInto[target] = Math.min(this.smallestShareInto[target], this.chatShare[g]);
      }
    }
    const n = (this.agentCount = sc.agentCount);
    this.agentCapacity = Math.max(16, n);
    const cap = this.agentCapacity;
    this.agentState = new Int32Array(cap);
    this.agentLoginCount = new Int32Array(cap);
    this.agentSkillset = new Int32Array(cap);
    this.agentHomeGroup = new Int32Array(cap);
    this.agentBusyGroup = new Int32Array(cap);
    this.agentCall = new Int32Array(cap).fill(-1);
    this.agentOpenChats = new Int32Array(cap);
    this.agentChatLoad = new Float64Array(cap);
    this.agentIdleStamp = new Int32Array(cap);
    this.agentAnswered = new Float64Array(cap);
    this.agentTalk = new Float64Array(cap);
    this.agentDay = new Int32Array(cap).fill(-1);
    this.agentPersonalHead = new Int32Array(cap).fill(-1);
    this.agentPersonalTail = new Int32Array(cap).fill(-1);
    this.staticSegments = sc.segmentAgent.length;
  }

  run(): number {
    const sc = this.sc;
    const events = this.events;
    if (sc.rates) for (let g = 0; g < this.G; g++) this.scheduleNextArrival(g, 0);
    if (sc.replay && sc.replay.arrival.length > 0) events.push(sc.replay.arrival[0], K_REPLAY, 0);
    if (this.staticSegments > 0) events.push(sc.segmentStart[0], (0 << 4) | K_LOGIN, 0);
    if (sc.hook) events.push(0, K_HOOK, 0);

    const boundaries = sc.boundaries;
    const intervalCount = sc.intervalCount;
    const periodSeconds = sc.periodSeconds;
    while (events.size > 0) {
      events.pop();
      const now = (this.now = events.poppedTime);
      if (now > periodSeconds && this.callsInSystem === 0) break;
      while (this.clockInterval < intervalCount - 1 && now >= boundaries[this.clockInterval + 1]) this.clockInterval++;
      const tag = events.poppedTag;
      const subject = tag >> 4;
      switch (tag & 15) {
        case K_ARRIVAL:
          this.onForecastArrival(subject);
          break;
        case K_REPLAY:
          this.onReplayArrival();
          break;
        case K_SERVICE_END:
          this.onServiceEnd(subject);
          break;
        case K_ABANDON:
          this.onAbandon(subject, events.poppedGeneration);
          break;
        case K_OVERFLOW:
          this.onOverflow(subject, events.poppedGeneration);
          break;
        case K_LOGIN:
          this.onLogin(subject);
          break;
        case K_LOGOUT:
          this.onLogout(subject);
          break;
        case K_HOOK:
          this.onHook();
          break;
        case K_REPEAT:
          this.onRepeat(subject, events.poppedGeneration);
          break;
        case K_RELEASE:
          this.onRelease(subject, events.poppedGeneration);
          break;
        case K_CHAT_END:
          this.onChatEnd(subject);
          break;
      }
    }
    // Callers still waiting when nobody is left to answer them are counted as lost at the end.
    const end = Math.max(this.now, periodSeconds);
    this.now = end;
    for (let g = 0; g < this.G; g++) {
      for (let c = this.queueHead[g]; c >= 0; ) {
        const next = this.callNext[c];
        this.recordAbandon(c);
        c = next;
      }
      this.integrate(g);
    }
    for (let a = 0; a < this.agentCount; a++) {
      for (let c = this.agentPersonalHead[a]; c >= 0; ) {
        const next = this.callNext[c];
        this.recordAbandon(c);
        c = next;
      }
    }
    return this.callsSimulated;
  }

  // ---- arrivals ------------------------------------------------------------------------------

  /** Next arrival of group g after `from`: piecewise-constant rate per interval, thinned under shocks. */
  private scheduleNextArrival(g: number, from: number): void {
    const sc = this.sc;
    const rates = sc.rates!;
    const bounds = sc.rateBound!;
    const shocked = sc.shocked!;
    const boundaries = sc.boundaries;
    const G = this.G;
    let i = this.arrivalInterval[g];
    let t = from;
    while (i < sc.intervalCount) {
      const bound = bounds[i * G + g];
      const rate = rates[i * G + g] * bound;
      const intervalEnd = boundaries[i + 1];
      if (rate <= 0) {
        t = intervalEnd;
        i++;
        continue;
      }
      t += this.callRng.exponential() / rate;
      if (t >= intervalEnd) {
        // Memoryless: restart at the boundary with the next interval's rate.
        t = intervalEnd;
        i++;
        continue;
      }
      // Keyed on the shock touching the interval, not on the bound: a down-shock (factor < 1) leaves
      // the bound at 1 yet must still drop candidates.
      if (shocked[i * G + g] === 1 && this.callRng.uniform() * bound > this.shockMultiplier(g, t)) continue;
      this.arrivalInterval[g] = i;
      this.events.push(t, (g << 4) | K_ARRIVAL, 0);
      return;
    }
    this.arrivalInterval[g] = i;
  }

  private shockMultiplier(g: number, t: number): number {
    const shocks = this.sc.shocksByGroup[g];
    let multiplier = 1;
    for (let k = 0; k < shocks.length; k += 4) {
      const start = shocks[k];
      const end = shocks[k + 1];
      if (t < start || t >= end) continue;
      const ramp = shocks[k + 2];
      const factor = shocks[k + 3];
      let strength = 1;
      if (ramp > 0) strength = Math.min(1, (t - start) / ramp, (end - t) / ramp);
      multiplier *= 1 + (factor - 1) * strength;
    }
    return multiplier;
  }

  private onForecastArrival(g: number): void {
    const c = this.allocateCall(g);
    this.callHandle[c] = this.sampleHandle(g, this.callRng);
    this.callPatience[c] = this.samplePatience(g, this.callRng);
    this.arrive(c);
    this.scheduleNextArrival(g, this.now);
  }

  private onReplayArrival(): void {
    const replay = this.sc.replay!;
    const k = this.nextReplay++;
    const g = replay.group[k];
    const c = this.allocateCall(g);
    const handle = replay.handle[k];
    const patience = replay.patience[k];
    this.callHandle[c] = handle >= 0 ? handle : this.sampleHandle(g, this.callRng);
    this.callPatience[c] = patience >= 0 ? patience : this.samplePatience(g, this.callRng);
    this.arrive(c);
    if (this.nextReplay < replay.arrival.length) this.events.push(replay.arrival[this.nextReplay], K_REPLAY, 0);
  }

  private allocateCall(g: number): number {
    let c: number;
    if (this.freeCount > 0) c = this.freeCalls[--this.freeCount];
    else {
      if (this.nextFreshCall === this.callCapacity) this.growCalls();
      c = this.nextFreshCall++;
    }
    this.callArrival[c] = this.now;
    this.callGroup[c] = g;
    this.callInterval[c] = this.clockInterval;
    this.callPrevAgent[c] = -1;
    this.callIsRepeat[c] = 0;
    this.callsInSystem++;
    return c;
  }

  private growCalls(): void {
    const cap = this.callCapacity * 2;
    this.callArrival = growFloat(this.callArrival, cap);
    this.callGroup = growInt(this.callGroup, cap);
    this.callInterval = growInt(this.callInterval, cap);
    this.callHandle = growFloat(this.callHandle, cap);
    this.callPatience = growFloat(this.callPatience, cap);
    this.callPrevAgent = growInt(this.callPrevAgent, cap);
    this.callIsRepeat = growInt(this.callIsRepeat, cap);
    this.callState = growInt(this.callState, cap);
    this.callGeneration = growInt(this.callGeneration, cap);
    this.callPrev = growInt(this.callPrev, cap);
    this.callNext = growInt(this.callNext, cap);
    this.callAgent = growInt(this.callAgent, cap);
    this.callServiceStart = growFloat(this.callServiceStart, cap);
    this.freeCalls = growInt(this.freeCalls, cap);
    this.callCapacity = cap;
  }

  private freeCall(c: number): void {
    this.callState[c] = CALL_FREE;
    this.callGeneration[c]++;
    this.freeCalls[this.freeCount++] = c;
    this.callsInSystem--;
  }

  /** A call (new or repeat) asks for an agent now. */
  private arrive(c: number): void {
    const g = this.callGroup[c];
    this.stats[(this.callInterval[c] * this.G + g) * STAT_SLOTS + S_OFFERED]++;
    this.arrivalsSoFar[g]++;
    this.callsSimulated++;
    const previous = this.callPrevAgent[c];
    if (this.sc.returnToPreviousAgent && previous >= 0 && this.agentLoginCount[previous] > 0) {
      if (this.agentState[previous] === AGENT_IDLE && this.hasSkill(previous, g)) {
        this.startService(c, previous);
        this.offerChatSlots(previous);
        return;
      }
      if (this.agentState[previous] === AGENT_BUSY && this.canTakeAnotherChat(previous, g) && this.hasSkill(previous, g)) {
        this.startService(c, previous);
        this.offerChatSlots(previous);
        return;
      }
      if (this.agentState[previous] === AGENT_BUSY && this.hasSkill(previous, g)) {
        this.appendPersonal(previous, c);
        this.scheduleAbandon(c);
        const maxWait = this.sc.previousAgentMaxWaitSeconds;
        if (maxWait < Infinity) this.events.push(this.now + maxWait, (c << 4) | K_RELEASE, this.callGeneration[c]);
        return;
      }
    }
    const agent = this.takeAgentFor(g, g);
    if (agent >= 0) {
      this.startService(c, agent);
      this.offerChatSlots(agent);
    } else {
      this.enqueue(c);
      this.scheduleAbandon(c);
    }
  }

  private scheduleAbandon(c: number): void {
    let patience = this.callPatience[c];
    if (!(patience >= 0)) patience = this.samplePatience(this.callGroup[c], this.rng);
    if (patience < Infinity) this.events.push(this.now + patience, (c << 4) | K_ABANDON, this.callGeneration[c]);
  }

  // ---- queues --------------------------------------------------------------------------------

  private enqueue(c: number): void {
    const g = this.callGroup[c];
    this.callState[c] = CALL_QUEUED;
    const tail = this.queueTail[g];
    this.callPrev[c] = tail;
    this.callNext[c] = -1;
    if (tail >= 0) this.callNext[tail] = c;
    else this.queueHead[g] = c;
    this.queueTail[g] = c;
    this.queueLength[g]++;
    const sc = this.sc;
    if (sc.overflowStart[g + 1] > sc.overflowStart[g] && sc.overflowAfterSeconds < Infinity) {
      const at = Math.max(this.now, this.callArrival[c] + sc.overflowAfterSeconds);
      this.events.push(at, (c << 4) | K_OVERFLOW, this.callGeneration[c]);
    }
  }

  private unlinkQueued(c: number): void {
    const g = this.callGroup[c];
    const prev = this.callPrev[c];
    const next = this.callNext[c];
    if (prev >= 0) this.callNext[prev] = next;
    else this.queueHead[g] = next;
    if (next >= 0) this.callPrev[next] = prev;
    else this.queueTail[g] = prev;
    this.queueLength[g]--;
  }

  private appendPersonal(a: number, c: number): void {
    this.callState[c] = CALL_PERSONAL;
    const tail = this.agentPersonalTail[a];
    this.callPrev[c] = tail;
    this.callNext[c] = -1;
    if (tail >= 0) this.callNext[tail] = c;
    else this.agentPersonalHead[a] = c;
    this.agentPersonalTail[a] = c;
    this.queueLength[this.callGroup[c]]++;
  }

  private unlinkPersonal(c: number): void {
    const a = this.callPrevAgent[c];
    const prev = this.callPrev[c];
    const next = this.callNext[c];
    if (prev >= 0) this.callNext[prev] = next;
    else this.agentPersonalHead[a] = next;
    if (next >= 0) this.callPrev[next] = prev;
    else this.agentPersonalTail[a] = prev;
    this.queueLength[this.callGroup[c]]--;
  }

  /** A returning caller stops waiting for the previous agent: any agent of the group may answer. */
  private releasePersonal(c: number): void {
    this.unlinkPersonal(c);
    const g = this.callGroup[c];
    const agent = this.takeAgentFor(g, g);
    if (agent >= 0) {
      this.startService(c, agent);
      this.offerChatSlots(agent);
    } else this.enqueue(c);
  }

  private onRelease(c: number, generation: number): void {
    if (this.callGeneration[c] !== generation || this.callState[c] !== CALL_PERSONAL) return;
    this.releasePersonal(c);
  }

  private onAbandon(c: number, generation: number): void {
    if (this.callGeneration[c] !== generation) return;
    const state = this.callState[c];
    if (state === CALL_QUEUED) this.unlinkQueued(c);
    else if (state === CALL_PERSONAL) this.unlinkPersonal(c);
    else return;
    this.recordAbandon(c);
  }

  private recordAbandon(c: number): void {
    const g = this.callGroup[c];
    const base = (this.callInterval[c] * this.G + g) * STAT_SLOTS;
    this.stats[base + S_ABANDONED]++;
    this.stats[base + S_WAIT_ABANDONED] += this.now - this.callArrival[c];
    this.abandonedSoFar[g]++;
    this.freeCall(c);
  }

  private onOverflow(c: number, generation: number): void {
    if (this.callGeneration[c] !== generation || this.callState[c] !== CALL_QUEUED) return;
    const sc = this.sc;
    const g = this.callGroup[c];
    for (let k = sc.overflowStart[g]; k < sc.overflowStart[g + 1]; k++) {
      const agent = this.takeAgentFor(sc.overflowTargets[k], g);
      if (agent >= 0) {
        this.unlinkQueued(c);
        this.startService(c, agent);
        this.offerChatSlots(agent);
        return;
      }
    }
  }

  // ---- agents --------------------------------------------------------------------------------

  private hasSkill(a: number, g: number): boolean {
    const sc = this.sc;
    const set = this.agentSkillset[a];
    for (let k = sc.skillsetStart[set]; k < sc.skillsetStart[set + 1]; k++) if (sc.skillsetGroups[k] === g) return true;
    return false;
  }

  private takeIdleAgent(g: number): number {
    const heap = this.idleHeaps[g];
    const agentState = this.agentState;
    const stamps = this.agentIdleStamp;
    while (heap.size > 0) {
      const a = heap.agents[0];
      const valid = agentState[a] === AGENT_IDLE && stamps[a] === heap.stamps[0];
      heap.popTop();
      if (valid) return a;
    }
    return -1;
  }

  /**
   * An agent of group h's heaps for a call of group g (g = h, or g overflowing to h): an idle one, else,
   * for a chat, the agent holding the fewest chats if it holds fewer than g's concurrency.
   */
  private takeAgentFor(h: number, g: number): number {
    const idle = this.takeIdleAgent(h);
    if (idle >= 0 || this.sc.concurrency[g] === 1) return idle;
    const heap = this.chatHeaps[h];
    const stamps = this.agentIdleStamp;
    while (heap.size > 0) {
      const a = heap.agents[0];
      if (stamps[a] !== heap.stamps[0] || !this.holdsChatsAndTakesMore(a)) {
        heap.popTop();
        continue;
      }
      // the top is the least loaded of all who hold chats: if g's chat does not fit it, it fits nobody
      if (!this.chatFits(a, g)) return -1;
      heap.popTop();
      return a;
    }
    return -1;
  }

  /** Logged in, on no voice call and holding at least one chat (an entry's stamp says how many). */
  private holdsChatsAndTakesMore(a: number): boolean {
    return this.agentState[a] === AGENT_BUSY && this.agentCall[a] < 0 && this.agentOpenChats[a] > 0 && this.agentLoginCount[a] > 0;
  }

  /** A chat of group g fits beside the agent's chats (a voice call never does). */
  private chatFits(a: number, g: number): boolean {
    return this.agentChatLoad[a] + this.chatShare[g] <= 1 + CHAT_LOAD_TOLERANCE;
  }

  /** A busy agent may take a chat of group g besides those it holds. */
  private canTakeAnotherChat(a: number, g: number): boolean {
    return this.holdsChatsAndTakesMore(a) && this.chatFits(a, g);
  }

  /** After an agent took a chat elsewhere than agentAvailable: offer what slots it has left. */
  private offerChatSlots(a: number): void {
    if (!this.holdsChatsAndTakesMore(a)) return;
    const sc = this.sc;
    const load = this.agentChatLoad[a];
    const set = this.agentSkillset[a];
    let key = NaN;
    for (let k = sc.skillsetStart[set]; k < sc.skillsetStart[set + 1]; k++) {
      const h = sc.skillsetGroups[k];
      if (load + this.smallestShareInto[h] > 1 + CHAT_LOAD_TOLERANCE) continue;
      if (key !== key) key = this.choiceKey(a);
      const heap = this.chatHeaps[h];
      heap.push(key, a, this.agentIdleStamp[a], load);
      if (heap.size > 4 * this.agentCount + 64) heap.compact((agent, stamp) => this.agentIdleStamp[agent] === stamp && this.holdsChatsAndTakesMore(agent));
    }
  }

  private startService(c: number, a: number): void {
    const g = this.callGroup[c];
    const wait = this.now - this.callArrival[c];
    const base = (this.callInterval[c] * this.G + g) * STAT_SLOTS;
    const stats = this.stats;
    stats[base + S_ANSWERED]++;
    if (wait <= this.sc.answerWithinSeconds[g]) stats[base + S_ANSWERED_WITHIN]++;
    stats[base + S_WAIT_ANSWERED] += wait;
    this.answeredSoFar[g]++;
    let handle = this.callHandle[c];
    if (!(handle >= 0)) handle = this.sampleHandle(g, this.rng);
    if (this.callIsRepeat[c] === 1 && this.callPrevAgent[c] === a) handle *= this.sc.sameAgentHandleFactor;
    stats[base + S_HANDLE] += handle;
    this.callState[c] = CALL_IN_SERVICE;
    if (this.sc.concurrency[g] > 1) {
      this.startChat(c, a, handle);
      return;
    }
    if (this.agentState[a] === AGENT_IDLE) this.idle[this.agentHomeGroup[a]]--;
    this.agentState[a] = AGENT_BUSY;
    this.agentCall[a] = c;
    this.agentAnswered[a]++;
    this.agentTalk[a] += handle;
    // Occupancy is the agent's: busy time counts for the agent's own group, whatever call it takes.
    const home = this.agentHomeGroup[a];
    this.integrate(home);
    this.busy[home]++;
    this.agentBusyGroup[a] = home;
    this.events.push(this.now + handle, (a << 4) | K_SERVICE_END, 0);
  }

  /** The agent takes one more chat; its heap entries named its old load, so they go stale. */
  private startChat(c: number, a: number, handle: number): void {
    if (this.agentState[a] === AGENT_IDLE) this.idle[this.agentHomeGroup[a]]--;
    this.agentState[a] = AGENT_BUSY;
    this.agentIdleStamp[a]++;
    this.agentOpenChats[a]++;
    this.agentChatLoad[a] += this.chatShare[this.callGroup[c]];
    this.agentAnswered[a]++;
    // busy time, the measure least-talk-time levels: a chat is 1/c of the agent
    this.agentTalk[a] += handle * this.chatShare[this.callGroup[c]];
    this.callAgent[c] = a;
    this.callServiceStart[c] = this.now;
    this.events.push(this.now + handle, (c << 4) | K_CHAT_END, 0);
  }

  private onChatEnd(c: number): void {
    const a = this.callAgent[c];
    const g = this.callGroup[c];
    // Occupancy is the agent's, as for voice: the chat's 1/c of the agent counts for its own group.
    this.addBusySeconds(this.agentHomeGroup[a], this.callServiceStart[c], this.now, this.chatShare[g]);
    // back to exactly 0 with the last chat: sums of 1/c do not cancel exactly in floating point
    this.agentChatLoad[a] = --this.agentOpenChats[a] === 0 ? 0 : this.agentChatLoad[a] - this.chatShare[g];
    this.agentIdleStamp[a]++;
    this.resolveOrRepeat(c, a, g);
    this.agentAvailable(a);
  }

  private onServiceEnd(a: number): void {
    const c = this.agentCall[a];
    const g = this.agentBusyGroup[a];
    this.integrate(g);
    this.busy[g]--;
    this.agentCall[a] = -1;
    this.resolveOrRepeat(c, a, g);
    this.agentAvailable(a);
  }

  /**
   * A contact `a` has just finished, of group `g`: resolved (its slot freed), or — with first-call
   * resolution set — a repeat the same caller makes later, remembering the agent (voice calls and chats alike).
   */
  private resolveOrRepeat(c: number, a: number, g: number): void {
    const fcr = this.sc.firstCallResolution;
    if (fcr !== null && this.rng.uniform() >= fcr[g]) {
      const at = this.now + this.sc.repeatMeanDelaySeconds * this.rng.exponential();
      if (at < this.sc.periodSeconds) {
        this.callState[c] = CALL_PENDING_REPEAT;
        this.callPrevAgent[c] = a;
        this.callIsRepeat[c] = 1;
        this.events.push(at, (c << 4) | K_REPEAT, this.callGeneration[c]);
      } else this.freeCall(c);
    } else this.freeCall(c);
  }

  private onRepeat(c: number, generation: number): void {
    if (this.callGeneration[c] !== generation || this.callState[c] !== CALL_PENDING_REPEAT) return;
    this.callArrival[c] = this.now;
    this.callInterval[c] = this.clockInterval;
    this.callHandle[c] = NaN;
    this.callPatience[c] = NaN;
    this.arrive(c);
  }

  /**
   * The agent has room (after a call or chat, on logging in): take the best waiting call, and, while it
   * holds only chats, more chats up to their groups' concurrency; with nothing to take, go idle or offer
   * the chat slots left.
   */
  private agentAvailable(a: number): void {
    if (this.agentLoginCount[a] === 0) {
      // on a break or logged off: open chats are finished, no new one taken
      if (this.agentOpenChats[a] === 0) this.logOff(a);
      return;
    }
    const sc = this.sc;
    const callGroup = this.callGroup;
    for (;;) {
      const open = this.agentOpenChats[a];
      if (sc.returnToPreviousAgent) {
        const personal = this.agentPersonalHead[a];
        if (personal >= 0 && (open === 0 || this.chatFits(a, callGroup[personal]))) {
          this.unlinkPersonal(personal);
          this.startService(personal, a);
          if (this.agentCall[a] >= 0) return; // a voice call fills the agent
          continue;
        }
      }
      const set = this.agentSkillset[a];
      const callArrival = this.callArrival;
      let best = -1;
      let bestArrival = Infinity;
      for (let k = sc.skillsetStart[set]; k < sc.skillsetStart[set + 1]; k++) {
        const g = sc.skillsetGroups[k];
        const head = this.queueHead[g];
        if (head >= 0 && callArrival[head] < bestArrival && (open === 0 || this.chatFits(a, g))) {
          best = head;
          bestArrival = callArrival[head];
        }
      }
      const overflowAfter = sc.overflowAfterSeconds;
      for (let k = sc.skillsetOverflowStart[set]; k < sc.skillsetOverflowStart[set + 1]; k++) {
        const g = sc.skillsetOverflowSources[k];
        const head = this.queueHead[g];
        if (head >= 0 && callArrival[head] < bestArrival && this.now - callArrival[head] >= overflowAfter && (open === 0 || this.chatFits(a, g))) {
          best = head;
          bestArrival = callArrival[head];
        }
      }
      if (best < 0) break;
      this.unlinkQueued(best);
      this.startService(best, a);
      if (this.agentCall[a] >= 0) return;
    }
    if (this.agentOpenChats[a] === 0) this.becomeIdle(a);
    else this.offerChatSlots(a);
  }

  private becomeIdle(a: number): void {
    const sc = this.sc;
    this.agentState[a] = AGENT_IDLE;
    const stamp = ++this.agentIdleStamp[a];
    this.idle[this.agentHomeGroup[a]]++;
    const key = this.choiceKey(a);
    const set = this.agentSkillset[a];
    for (let k = sc.skillsetStart[set]; k < sc.skillsetStart[set + 1]; k++) {
      const heap = this.idleHeaps[sc.skillsetGroups[k]];
      heap.push(key, a, stamp);
      if (heap.size > 4 * this.agentCount + 64) {
        heap.compact((agent, s) => this.agentState[agent] === AGENT_IDLE && this.agentIdleStamp[agent] === s);
      }
    }
  }

  /** The routing policy's heap key of an agent becoming available now (least first). */
  private choiceKey(a: number): number {
    switch (this.choice) {
      case CHOICE_LONGEST_IDLE:
        return this.now;
      case CHOICE_FEWEST_ANSWERED:
        return this.agentAnswered[a] * 1e8 + this.now;
      case CHOICE_LEAST_TALK:
        return this.agentTalk[a];
      default:
        // the least of independent uniform keys is a uniformly random idle agent
        return this.rng.uniform();
    }
  }

  private logOff(a: number): void {
    if (this.agentState[a] === AGENT_IDLE) this.idle[this.agentHomeGroup[a]]--;
    this.agentState[a] = AGENT_OFF;
    this.agentIdleStamp[a]++;
    const home = this.agentHomeGroup[a];
    this.integrate(home);
    this.loggedIn[home]--;
  }

  private segmentAgentOf(s: number): number {
    return s < this.staticSegments ? this.sc.segmentAgent[s] : this.dynamicSegments[s - this.staticSegments].agent;
  }

  private onLogin(s: number): void {
    const sc = this.sc;
    let a: number;
    let end: number;
    let skillset: number;
    if (s < this.staticSegments) {
      if (s + 1 < this.staticSegments) this.events.push(sc.segmentStart[s + 1], ((s + 1) << 4) | K_LOGIN, 0);
      a = sc.segmentAgent[s];
      end = sc.segmentEnd[s];
      skillset = sc.segmentSkillset[s];
    } else {
      const dynamic = this.dynamicSegments[s - this.staticSegments];
      if (dynamic.released) return; // sent home before they logged in
      a = dynamic.agent;
      end = dynamic.end;
      skillset = dynamic.skillset;
    }
    this.events.push(end, (s << 4) | K_LOGOUT, 0);
    this.agentLoginCount[a]++;
    this.agentSkillset[a] = skillset;
    if (this.agentState[a] !== AGENT_OFF) {
      // back while still finishing chats (a short break): take chats again, in the new skill set
      if (this.agentCall[a] < 0 && this.agentOpenChats[a] > 0) {
        this.agentIdleStamp[a]++;
        this.agentAvailable(a);
      }
      return;
    }
    const day = this.dayOf(this.now);
    if (this.agentDay[a] !== day) {
      // "today" counters of the agent-choice policies restart on the first login of a local day
      this.agentDay[a] = day;
      this.agentAnswered[a] = 0;
      this.agentTalk[a] = 0;
    }
    const home = sc.skillsetGroups[sc.skillsetStart[skillset]];
    this.agentHomeGroup[a] = home;
    this.integrate(home);
    this.loggedIn[home]++;
    this.agentState[a] = AGENT_BUSY; // transient: agentAvailable decides between a call and idle
    this.agentAvailable(a);
  }

  private onLogout(s: number): void {
    if (s >= this.staticSegments) {
      // a released agent logs out at the release, and not again at the end of their shift
      const dynamic = this.dynamicSegments[s - this.staticSegments];
      if (dynamic.loggedOut) return;
      dynamic.loggedOut = true;
    }
    const a = this.segmentAgentOf(s);
    if (--this.agentLoginCount[a] > 0) return;
    // An agent holding chats takes no new one (its chat-heap entries go stale); it logs off after the last.
    if (this.agentOpenChats[a] > 0) this.agentIdleStamp[a]++;
    // Callers waiting for this agent in particular go to the group queue.
    for (let c = this.agentPersonalHead[a]; c >= 0; c = this.agentPersonalHead[a]) this.releasePersonal(c);
    if (this.agentState[a] === AGENT_IDLE) this.logOff(a);
    // A busy agent finishes the call (or its chats) and logs off in agentAvailable.
  }

  private dayOf(t: number): number {
    const days = this.sc.dayStarts;
    let lo = 0;
    let hi = days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (days[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // ---- statistics ----------------------------------------------------------------------------

  /** Adds busy and logged-in agent-seconds of group g up to now (split across interval boundaries). */
  private integrate(g: number): void {
    const sc = this.sc;
    const t = this.now < sc.periodSeconds ? this.now : sc.periodSeconds;
    let last = this.integratedUntil[g];
    if (t <= last) return;
    let i = this.integratedInterval[g];
    const busy = this.busy[g];
    const staffed = this.loggedIn[g];
    const boundaries = sc.boundaries;
    const G = this.G;
    const stats = this.stats;
    while (i < sc.intervalCount - 1 && t > boundaries[i + 1]) {
      const span = boundaries[i + 1] - last;
      const base = (i * G + g) * STAT_SLOTS;
      stats[base + S_BUSY_SECONDS] += busy * span;
      stats[base + S_STAFFED_SECONDS] += staffed * span;
      last = boundaries[i + 1];
      i++;
    }
    const base = (i * G + g) * STAT_SLOTS;
    stats[base + S_BUSY_SECONDS] += busy * (t - last);
    stats[base + S_STAFFED_SECONDS] += staffed * (t - last);
    this.integratedUntil[g] = t;
    this.integratedInterval[g] = i;
  }

  /** Adds `weight` agents busy over [from, to) (seconds, cut at the period end) to group g's intervals. */
  private addBusySeconds(g: number, from: number, to: number, weight: number): void {
    const sc = this.sc;
    const end = to < sc.periodSeconds ? to : sc.periodSeconds;
    if (end <= from) return;
    const boundaries = sc.boundaries;
    const last = sc.intervalCount - 1;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (boundaries[mid] <= from) lo = mid;
      else hi = mid - 1;
    }
    let t = from;
    for (let i = lo; t < end; i++) {
      // as integrate does, the last interval takes whatever lies beyond its start
      const stop = i < last && boundaries[i + 1] < end ? boundaries[i + 1] : end;
      this.stats[(i * this.G + g) * STAT_SLOTS + S_BUSY_SECONDS] += (stop - t) * weight;
      t = stop;
    }
  }

  // ---- distributions -------------------------------------------------------------------------

  private sampleHandle(g: number, rng: Sfc32): number {
    const sc = this.sc;
    switch (sc.handleKind[g]) {
      case HANDLE_EXPONENTIAL:
        return sc.handleA[g] * rng.exponential();
      case HANDLE_LOGNORMAL:
        return Math.exp(sc.handleA[g] + sc.handleB[g] * rng.normal());
      default: {
        const samples = sc.handleSamples[g];
        return samples[(rng.uniform() * samples.length) | 0];
      }
    }
  }

  private samplePatience(g: number, rng: Sfc32): number {
    const sc = this.sc;
    switch (sc.patienceKind[g]) {
      case PATIENCE_NONE:
        return Infinity;
      case PATIENCE_EXPONENTIAL:
        return sc.patienceMean[g] * rng.exponential();
      default: {
        // Inverse of the step survival curve: the first time where S(t) ≤ u.
        const times = sc.patienceTimes[g];
        const survival = sc.patienceSurvival[g];
        const u = rng.uniform();
        const last = times.length - 1;
        if (last < 0 || survival[last] > u) return (last < 0 ? 0 : times[last]) + sc.patienceMean[g] * rng.exponential();
        let lo = 0;
        let hi = last;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (survival[mid] <= u) hi = mid;
          else lo = mid + 1;
        }
        return times[lo];
      }
    }
  }

  // ---- the external policy hook --------------------------------------------------------------

  private hookState: SimState | null = null;
  private hookActions: SimActions | null = null;

  private onHook(): void {
    const sc = this.sc;
    if (this.now >= sc.periodSeconds) return;
    if (this.hookState === null) {
      this.hookState = {
        now: 0,
        groupIds: sc.groupIds,
        queueLength: this.queueLength,
        arrivalsSoFar: this.arrivalsSoFar,
        answeredSoFar: this.answeredSoFar,
        abandonedSoFar: this.abandonedSoFar,
        agentsLoggedIn: this.loggedIn,
        agentsIdle: this.idle,
        oldestWaitSeconds: new Float64Array(this.G),
      };
      this.hookActions = { addAgents: (request) => this.addAgents({ ...request, requestedAt: 0 }), releaseAgents: (handles) => this.releaseAgents(handles) };
    }
    const state = this.hookState;
    state.now = sc.epochStart + this.now * 1000;
    const oldest = state.oldestWaitSeconds as Float64Array;
    for (let g = 0; g < this.G; g++) {
      const head = this.queueHead[g];
      oldest[g] = head >= 0 ? this.now - this.callArrival[head] : 0;
    }
    sc.hook!(state, this.hookActions!);
    const next = this.now + sc.hookEverySeconds;
    if (next < sc.periodSeconds) this.events.push(next, K_HOOK, 0);
  }

  /**
   * Agents added by the hook go home now: one on a call finishes it first, one not yet logged in never
   * does (an early release when the surge has passed).
   */
  private releaseAgents(handles: number[]): void {
    for (const s of handles) {
      const dynamic = this.dynamicSegments[s - this.staticSegments];
      if (!dynamic || dynamic.released) continue;
      dynamic.released = true;
      if (this.agentLoginCount[dynamic.agent] > 0 && !dynamic.loggedOut && this.agentState[dynamic.agent] !== AGENT_OFF) this.onLogout(s);
    }
  }

  /** Agents asked for now log in after the delay (validated by the caller of the hook's action); their handles, for a release. */
  private addAgents(request: AddedAgents): number[] {
    const sc = this.sc;
    const groups = request.skillGroupIds.map((id, k) => {
      const g = sc.groupIds.indexOf(id);
      if (g < 0) throw invalid(`addAgents: unknown skill group "${id}"`, [{ where: `addAgents.skillGroupIds[${k}]`, message: `unknown skill group "${id}"` }]);
      return g;
    });
    if (groups.length === 0) throw invalid('addAgents: at least one skill group', [{ where: 'addAgents.skillGroupIds', message: 'empty' }]);
    if (!(request.count >= 0) || !(request.loginDelayMinutes >= 0) || !(request.durationMinutes > 0)) {
      throw invalid('addAgents: count and loginDelayMinutes must be ≥ 0, durationMinutes > 0', [{ where: 'addAgents', message: JSON.stringify(request) }]);
    }
    const skillset = sc.skillsetFor(groups);
    const loginAt = this.now + request.loginDelayMinutes * 60;
    const handles: number[] = [];
    for (let k = 0; k < Math.round(request.count); k++) {
      const a = this.agentCount++;
      if (a >= this.agentCapacity) this.growAgents();
      const s = this.staticSegments + this.dynamicSegments.length;
      this.dynamicSegments.push({ agent: a, end: loginAt + request.durationMinutes * 60, skillset });
      this.events.push(loginAt, (s << 4) | K_LOGIN, 0);
      handles.push(s);
    }
    return handles;
  }

  private growAgents(): void {
    const cap = this.agentCapacity * 2;
    this.agentState = growInt(this.agentState, cap);
    this.agentLoginCount = growInt(this.agentLoginCount, cap);
    this.agentSkillset = growInt(this.agentSkillset, cap);
    this.agentHomeGroup = growInt(this.agentHomeGroup, cap);
    this.agentBusyGroup = growInt(this.agentBusyGroup, cap);
    this.agentCall = growInt(this.agentCall, cap, -1);
    this.agentOpenChats = growInt(this.agentOpenChats, cap);
    this.agentChatLoad = growFloat(this.agentChatLoad, cap);
    this.agentIdleStamp = growInt(this.agentIdleStamp, cap);
    this.agentAnswered = growFloat(this.agentAnswered, cap);
    this.agentTalk = growFloat(this.agentTalk, cap);
    this.agentDay = growInt(this.agentDay, cap, -1);
    this.agentPersonalHead = growInt(this.agentPersonalHead, cap, -1);
    this.agentPersonalTail = growInt(this.agentPersonalTail, cap, -1);
    this.agentCapacity = cap;
  }
}
