/**
 * Contract capacity a week's shifts make unreachable ("waste"). An agent's week is bound by hours or
 * by days: a full-timer (42.5 h in 5 days) fills its week exactly with five 8.5-hour shifts, so a
 * 4-hour shift uses up a day and loses 4.5 h it can never work that week; a part-timer (26 h in 4 days)
 * is bound by hours and loses at most half an hour whichever lengths it works. When the plan holds more
 * shifts than the agents can work, every wasted hour is an hour more uncovered, so short shifts belong
 * with the agents who waste least on them. Pure: no I/O.
 */

/**
 * The most minutes `days` shifts of the given lengths (minutes, each usable any number of times) can
 * add up to without exceeding `roomMinutes`.
 */
export function mostMinutesInDays(lengths: readonly number[], roomMinutes: number, days: number): number {
  let reachable = new Set<number>([0]);
  let best = 0;
  for (let d = 0; d < days; d++) {
    const next = new Set<number>();
    for (const sum of reachable) {
      for (const len of lengths) {
        const total = sum + len;
        if (total <= roomMinutes && !reachable.has(total)) next.add(total);
      }
    }
    if (next.size === 0) break;
    for (const total of next) best = Math.max(best, total);
    reachable = new Set([...reachable, ...next]);
  }
  return best;
}

/** Memoised week capacities per set of shift lengths (agents of one contract and skills share them). */
export class WeekCapacity {
  private readonly known = new Map<number, number>();
  private readonly lengthSets: number[][] = [];
  private readonly lengthSetIds = new Map<string, number>();

  /** a small id for a set of shift lengths (minutes), to key the memo */
  idOf(lengths: readonly number[]): number {
    const sorted = [...new Set(lengths.map((l) => Math.round(l)))].sort((a, b) => a - b);
    const key = sorted.join(',');
    let id = this.lengthSetIds.get(key);
    if (id === undefined) {
      id = this.lengthSets.length;
      this.lengthSets.push(sorted);
      this.lengthSetIds.set(key, id);
    }
    return id;
  }

  /** most minutes still workable this week given the contract room and days left */
  most(lengthsId: number, roomMinutes: number, days: number): number {
    const lengths = this.lengthSets[lengthsId];
    roomMinutes = Math.round(roomMinutes);
    if (roomMinutes <= 0 || days <= 0 || lengths.length === 0) return 0;
    const key = (lengthsId * 1_000_000 + roomMinutes) * 16 + Math.min(days, 15);
    let value = this.known.get(key);
    if (value === undefined) {
      value = mostMinutesInDays(lengths, roomMinutes, days);
      this.known.set(key, value);
    }
    return value;
  }

  /**
   * Minutes of the week's best total that the shifts already worked have made unreachable:
   * best(max hours, max days) − (worked + best(room left, days left)).
   */
  waste(lengthsId: number, maxMinutes: number, maxDays: number, workedMinutes: number, workedDays: number): number {
    const ideal = this.most(lengthsId, maxMinutes, maxDays);
    const still = workedMinutes + this.most(lengthsId, maxMinutes - workedMinutes, maxDays - workedDays);
    return Math.max(0, ideal - still);
  }
}
