/**
 * Cloud-agent self-selection slots: what partners could not cover, grouped into (period, skill
 * group, how many agents). Cloud agents claim them over REST (claims are the store's job); this is
 * the pure part that says what to offer.
 */
import type { PlannedShift } from './types';

export interface CloudSlot {
  id: string;
  skillGroupId: string;
  /** local date of the start */
  date: string;
  start: number;
  end: number;
  templateId: string;
  kind: PlannedShift['kind'];
  /** cloud agents wanted for this period */
  agentsNeeded: number;
  /** the planned shifts behind the slot (identical periods, possibly different break times) */
  shiftIds: string[];
}

export function cloudSlots(uncovered: PlannedShift[]): CloudSlot[] {
  const slots = new Map<string, CloudSlot>();
  for (const s of uncovered) {
    const key = `${s.skillGroupId}|${s.start}|${s.end}`;
    const slot = slots.get(key);
    if (slot) {
      slot.agentsNeeded++;
      slot.shiftIds.push(s.id);
    } else {
      slots.set(key, {
        id: `slot-${s.skillGroupId}-${s.start}-${s.end}`,
        skillGroupId: s.skillGroupId,
        date: s.date,
        start: s.start,
        end: s.end,
        templateId: s.templateId,
        kind: s.kind,
        agentsNeeded: 1,
        shiftIds: [s.id],
      });
    }
  }
  return [...slots.values()].sort((a, b) => a.start - b.start || a.skillGroupId.localeCompare(b.skillGroupId) || a.end - b.end);
}
