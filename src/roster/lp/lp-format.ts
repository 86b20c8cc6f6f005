/**
 * The same shift-planning model as plan.ts written in CPLEX LP format, so an external solver (HiGHS in
 * the benchmark) can solve exactly what our solver solves and the two can be compared side by side.
 */
import type { Subproblem } from './plan';

export function subproblemToCplexLp(sub: Subproblem, options: { integer: boolean }): string {
  const objective: string[] = [];
  const rows = new Map<number, string[]>();
  sub.options.forEach((option, o) => {
    objective.push(`+ ${option.cost} x${o}`);
    for (const [k, a] of sub.coverage[o]) {
      if (!rows.has(k)) rows.set(k, []);
      rows.get(k)!.push(`+ ${a} x${o}`);
    }
  });
  let constant = 0;
  sub.required.forEach((r, k) => {
    if (!rows.has(k)) {
      constant += r * sub.intervalHours[k] * sub.penalties.underPerAgentHour;
      return;
    }
    objective.push(`+ ${sub.penalties.underPerAgentHour * sub.intervalHours[k]} u${k}`, `+ ${sub.overPenalty[k] * sub.intervalHours[k]} v${k}`);
  });
  const lines = ['Minimize', ` obj: ${objective.join(' ')}${constant > 0 ? ` + ${constant} constant` : ''}`, 'Subject To'];
  for (const [k, terms] of rows) lines.push(` c${k}: ${terms.join(' ')} + u${k} - v${k} = ${sub.required[k]}`);
  if (constant > 0) lines.push(' fix_constant: constant = 1');
  lines.push('Bounds');
  if (options.integer) {
    lines.push('Generals');
    for (let i = 0; i < sub.options.length; i += 20) {
      lines.push(` ${sub.options.slice(i, i + 20).map((_, j) => `x${i + j}`).join(' ')}`);
    }
  }
  lines.push('End');
  return lines.join('\n');
}
