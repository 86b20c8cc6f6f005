/**
 * Band levelling: the last fairness pass, for agents still outside their class's band (./fairness.ts)
 * after the whole-schedule exchanges of ./assign.ts.
 *
 * Why chains: with 8.5- and 4-hour shifts a class's totals are sums like 68 (8 × 8.5), 72 (8 × 8.5 + 4)
 * or 76.5 (9 × 8.5). A weekday-only full-timer at 76.5 can only come down to 68, and every colleague
 * who takes its 8.5-hour shift is pushed out of the band in turn (68 → 76.5, 72 → 80.5); the two-agent
 * exchanges cannot see a way out. One usually exists through a third and fourth agent, often of the
 * other class: a part-timer at 45.5 (3 × 8.5 + 5 × 4) takes the 8.5-hour shift and hands two 4-hour
 * shifts to full-timers at 68, and everyone ends inside their band. Likewise a part-timer at 50 swaps
 * an 8.5-hour shift for a colleague's 4-hour one (→ 45.5), and the colleague, now 0.5 h over, passes a
 * 4-hour shift to a full-timer at 68.
 *
 * The search: from an agent outside its band, a depth-first ejection chain. Each step moves one shift
 * to a colleague, or swaps two shifts of different lengths, between the chain's most-out agent and
 * anyone eligible (any class); steps are ranked by how much they shrink the distance outside the bands
 * and only the best few are tried at each depth (shortest chains first: iterative deepening). A chain
 * is kept as soon as the agents it touched are fewer outside and no further out in total, with every
 * hard rule kept, no week newly below the contract minimum and no class's max − min wider; otherwise
 * it is undone. Shifts only change hands (top-ups and pinned shifts — frozen, or kept from the published
 * roster by a re-plan — stay put), so coverage cannot drop. Deterministic (no random choice) and
 * budgeted by the number of steps tried, not by time.
 */
import type { AssignmentEngine } from './assign';
import { chooseBandFloor } from './fairness';
import { canTake } from './rules';

export interface LevellingOptions {
  /** steps (moves or swaps) tried over the whole pass; default 1,000 per agent */
  maxSteps?: number;
  /** steps tried per chain start; default 100,000 */
  maxStepsPerOffender?: number;
  /** longest chain (steps); default 5 */
  maxChainSteps?: number;
}

/**
 * Steps a chain may take (its length), and how many candidate steps are tried at each depth, best
 * first. The first step is where the outside agent's own few options are (a weekday-only agent can
 * only hand over day shifts): a wide first level found a four-step chain on the bench's 200-agent
 * instance (weekday-only full-timer → part-timer → full-timer → swap with a part-timer → 4-hour shift
 * to another) that a first level of 10 missed; deeper levels beyond five found nothing more.
 */
const BEAM_WIDTHS = [30, 8, 5, 3, 2];
const EPS = 1e-6;
/** rounds over the agents still outside (a kept chain can open a way for another) */
const ROUNDS = 3;
/** budget of steps tried (moves and swaps applied and checked against the rules) */
const STEPS_PER_AGENT = 1000;
const STEPS_PER_OFFENDER = 100_000;

interface Step {
  /** the shift moved from `from` to `to` */
  shift: number;
  from: number;
  to: number;
  /** for a swap, the shift moved back from `to` to `from`; −1 for a plain move */
  back: number;
  /** change of the touched agents' summed distance outside their bands (lower is better) */
  gain: number;
}

export function levelIntoBands(engine: AssignmentEngine, options: LevellingOptions = {}): number {
  const state = new BandState(engine);
  let stepsLeft = options.maxSteps ?? STEPS_PER_AGENT * engine.agents.length;
  const perOffender = options.maxStepsPerOffender ?? STEPS_PER_OFFENDER;
  const outsideBefore = state.outsideWithFreshFloors();
  let chains = 0;
  // Most-out first: a large excess is what the report shows and what the chains are for.
  for (let round = 0; round < ROUNDS && stepsLeft > 0; round++) {
    let kept = 0;
    for (const x of state.offenders()) {
      if (stepsLeft <= 0) break;
      if (state.distance(x) <= EPS) continue;
      const budget = { left: Math.min(perOffender, stepsLeft) };
      const start = budget.left;
      if (state.chainFrom(x, budget, options.maxChainSteps ?? BEAM_WIDTHS.length)) {
        kept++;
        state.rechooseFloors();
      }
      stepsLeft -= start - budget.left;
    }
    chains += kept;
    if (kept === 0) break;
  }
  // Each chain is judged against the bands chosen before it; the report chooses them afresh. Should
  // the bands move so that more agents end up outside, the whole pass is undone.
  if (chains > 0 && state.outsideWithFreshFloors() > outsideBefore) {
    state.undoAll();
    return 0;
  }
  return chains;
}

class BandState {
  private readonly totals: number[][];
  private floors: number[] = [];
  /** per agent: lowest own total at or above the band's floor, highest at or below its top */
  private nearestUp!: Float64Array;
  private nearestDown!: Float64Array;
  /** eligibility as one byte per (agent, shift): the swap scan asks it millions of times */
  private readonly eligibleFlags: Uint8Array;

  constructor(private readonly engine: AssignmentEngine) {
    this.totals = engine.agents.map((_, a) => engine.possibleTotals(a));
    this.eligibleFlags = new Uint8Array(engine.agents.length * engine.infos.length);
    engine.eligible.forEach((list, s) => list.forEach((a) => (this.eligibleFlags[a * engine.infos.length + s] = 1)));
    this.rechooseFloors();
  }

  /** the report's band width: the shortest planned shift */
  private get width(): number {
    return this.engine.shortestPlannedHours;
  }

  /** steps of the kept chains, in order */
  readonly log: Step[] = [];

  undoAll(): void {
    for (let k = this.log.length - 1; k >= 0; k--) this.revert(this.log[k]);
    this.log.length = 0;
    this.rechooseFloors();
  }

  /** Agents outside their band, the floors chosen for the roster as it is now (as the report does). */
  outsideWithFreshFloors(): number {
    this.rechooseFloors();
    return this.offenders().length;
  }

  rechooseFloors(): void {
    this.floors = this.engine.classMembers.map((m) =>
      chooseBandFloor(
        m.map((a) => this.hours(a)),
        m.map((a) => this.totals[a]),
        this.width,
        m.map((a) => this.engine.isAbsent(a)),
      ),
    );
    this.nearestUp = Float64Array.from(this.engine.agents, (_, a) => {
      const from = this.floors[this.engine.classOf[a]];
      const up = this.totals[a].filter((t) => t >= from - EPS);
      return up.length ? Math.min(...up) : -Infinity;
    });
    this.nearestDown = Float64Array.from(this.engine.agents, (_, a) => {
      // an absent agent below the band is where its absence leaves it (fairness.ts bandDistance)
      if (this.engine.isAbsent(a)) return -Infinity;
      const to = this.floors[this.engine.classOf[a]] + this.width;
      const down = this.totals[a].filter((t) => t <= to + EPS);
      return down.length ? Math.max(...down) : Infinity;
    });
  }

  hours(a: number): number {
    return this.engine.schedules[a].totalHours;
  }

  /** fairness.ts's unfairDistance at `hours`, against the floors chosen last (O(1)). */
  distanceAt(a: number, hours: number): number {
    const from = this.floors[this.engine.classOf[a]];
    const to = from + this.width;
    if (hours > to + EPS) return Math.max(0, hours - Math.max(to, this.nearestUp[a]));
    if (hours < from - EPS) return Math.max(0, Math.min(from, this.nearestDown[a]) - hours);
    return 0;
  }

  distance(a: number): number {
    return this.distanceAt(a, this.hours(a));
  }

  offenders(): number[] {
    return Array.from(this.engine.agents, (_, a) => a)
      .filter((a) => this.distance(a) > EPS)
      .sort((x, y) => this.distance(y) - this.distance(x) || x - y);
  }

  /**
   * Depth-first ejection chain from agent x (see the file comment). Returns whether a chain was kept.
   */
  chainFrom(x: number, budget: { left: number }, longest: number): boolean {
    const touched = new Map<number, { outside: boolean; distance: number; weeksBelow: number }>();
    const touch = (a: number) => {
      if (!touched.has(a)) touched.set(a, { outside: this.distance(a) > EPS, distance: this.distance(a), weeksBelow: this.engine.weeksBelow(a) });
    };
    touch(x);
    const spreadBefore = this.engine.classMembers.map((m) => this.spreadOf(m));
    const moved = new Set<number>();
    const applied: Step[] = [];

    const accepted = (): boolean => {
      let outsideBefore = 0;
      let outsideNow = 0;
      let distanceBefore = 0;
      let distanceNow = 0;
      for (const [a, before] of touched) {
        const d = this.distance(a);
        outsideBefore += before.outside ? 1 : 0;
        outsideNow += d > EPS ? 1 : 0;
        distanceBefore += before.distance;
        distanceNow += d;
        if (this.engine.weeksBelow(a) > before.weeksBelow) return false;
      }
      // Fewer agents outside (what the report counts), and no further out in total. Trading one agent
      // outside for another, even a nearer one, was tried: it led later chains into dead ends.
      if (outsideNow >= outsideBefore || distanceNow > distanceBefore + EPS) return false;
      const classes = new Set([...touched.keys()].map((a) => this.engine.classOf[a]));
      for (const c of classes) if (this.spreadOf(this.engine.classMembers[c]) > spreadBefore[c] + EPS) return false;
      return true;
    };

    let maxDepth = 0;
    const search = (depth: number): boolean => {
      // Continue from the touched agent furthest outside its band.
      let open = -1;
      for (const a of touched.keys()) if (this.distance(a) > EPS && (open < 0 || this.distance(a) > this.distance(open))) open = a;
      if (open < 0) return false;
      const steps = this.candidateSteps(open, moved);
      let tried = 0;
      for (const step of steps) {
        if (tried >= BEAM_WIDTHS[depth] || budget.left <= 0) break;
        budget.left--;
        // Snapshot both agents before the step changes them (the acceptance compares with it).
        const fresh = [step.from, step.to].filter((a) => !touched.has(a));
        fresh.forEach(touch);
        if (!this.apply(step)) {
          fresh.forEach((a) => touched.delete(a));
          continue;
        }
        tried++;
        applied.push(step);
        moved.add(step.shift);
        if (step.back >= 0) moved.add(step.back);
        if (accepted()) {
          this.log.push(...applied);
          return true;
        }
        if (depth + 1 < maxDepth && search(depth + 1)) return true;
        this.revert(step);
        applied.pop();
        moved.delete(step.shift);
        moved.delete(step.back);
        fresh.forEach((a) => touched.delete(a));
      }
      return false;
    };
    // Iterative deepening: the shortest chain that works is found first (fewest agents disturbed),
    // and a deep dive along the first candidates cannot use up the budget before short chains are seen.
    for (maxDepth = 1; maxDepth <= Math.min(longest, BEAM_WIDTHS.length); maxDepth++) if (search(0)) return true;
    return false;
  }

  /**
   * Moves and swaps that bring `open` toward its band, ranked by the change in distance of the two
   * agents involved (arithmetic only; the hard rules are checked when a step is applied).
   */
  private candidateSteps(open: number, moved: Set<number>): Step[] {
    const engine = this.engine;
    const above = this.hours(open) > this.floors[this.engine.classOf[open]] + this.width;
    const steps: Step[] = [];
    const openHours = this.hours(open);
    const openDistance = this.distance(open);
    const consider = (shift: number, from: number, to: number, back: number) => {
      const delta = engine.ctx.shifts[shift].hours - (back >= 0 ? engine.ctx.shifts[back].hours : 0);
      const openAfter = this.distanceAt(open, openHours + (open === to ? delta : -delta));
      if (openAfter >= openDistance - EPS) return;
      const other = open === to ? from : to;
      const otherAfter = this.distanceAt(other, this.hours(other) + (other === to ? delta : -delta));
      steps.push({ shift, from, to, back, gain: openAfter - openDistance + otherAfter - this.distance(other) });
    };
    const movable = (s: number) => s < engine.infos.length && !engine.pinned[s] && !moved.has(s);
    if (above) {
      // open gives a shift t to b, possibly taking a shorter shift u of b's in return.
      for (const t of this.engine.shiftsOf(open)) {
        if (!movable(t)) continue;
        for (const b of engine.eligible[t]) {
          if (b === open) continue;
          consider(t, open, b, -1);
          for (const u of this.engine.shiftsOf(b)) {
            if (movable(u) && engine.ctx.shifts[u].hours < engine.ctx.shifts[t].hours - EPS && this.isEligible(open, u)) consider(t, open, b, u);
          }
        }
      }
    } else {
      // open takes a shift s from its holder a, possibly giving a shorter shift u of its own in return.
      const own = this.engine.shiftsOf(open).filter(movable);
      for (const s of engine.eligibleShifts[open]) {
        const a = engine.assignedTo[s];
        if (a < 0 || a === open || !movable(s)) continue;
        consider(s, a, open, -1);
        for (const u of own) if (engine.ctx.shifts[u].hours < engine.ctx.shifts[s].hours - EPS && this.isEligible(a, u)) consider(s, a, open, u);
      }
    }
    return steps.sort((p, q) => p.gain - q.gain || p.shift - q.shift || p.to - q.to || p.back - q.back);
  }

  /** Applies the step if every hard rule still holds for both agents; else leaves the roster as it was. */
  private apply(step: Step): boolean {
    const { engine } = this;
    const { shift, from, to, back } = step;
    engine.takeBack(shift);
    if (back >= 0) engine.takeBack(back);
    if (canTake(engine.schedules[to], engine.infos[shift], engine.ctx)) {
      engine.give(shift, to);
      if (back < 0) return true;
      if (canTake(engine.schedules[from], engine.infos[back], engine.ctx)) {
        engine.give(back, from);
        return true;
      }
      engine.takeBack(shift);
    }
    engine.give(shift, from);
    if (back >= 0) engine.give(back, to);
    return false;
  }

  private revert(step: Step): void {
    const { engine } = this;
    engine.takeBack(step.shift);
    if (step.back >= 0) engine.takeBack(step.back);
    engine.give(step.shift, step.from);
    if (step.back >= 0) engine.give(step.back, step.to);
  }

  private isEligible(a: number, shift: number): boolean {
    return this.eligibleFlags[a * this.engine.infos.length + shift] === 1;
  }

  private spreadOf(members: number[]): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (const m of members) {
      lo = Math.min(lo, this.hours(m));
      hi = Math.max(hi, this.hours(m));
    }
    return hi - lo;
  }
}
