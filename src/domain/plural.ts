/** "1 agent", "3 agents": a count and its noun, for what people read (decisions, notes, errors). */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
