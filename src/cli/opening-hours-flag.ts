/**
 * `--open`: opening hours for the forecast and backtest commands, which otherwise infer them from the
 * volumes. Inference can only guess where a quiet interval ends and a closed one begins (a 24/7 line's
 * night at a fraction of a call a quarter hour, a Sunday evening as quiet as a night); the planner knows.
 *
 *   --open 24/7
 *   --open "Mon-Fri 08:00-20:00; Sat 09:00-14:00"
 *   --open "daily 06:00-24:00"        (days: Mon..Sun, ranges with -, lists with commas, or daily)
 *
 * The same windows a skill group's `openingHours` holds (local time, end exclusive, 24:00 = midnight).
 */
import type { IsoWeekday, WeeklyWindow } from '../domain/types';
import { invalid } from '../errors/wfm-error';
import { parseLocalTime } from '../time/grid';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ALL_DAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];
const FORMAT = 'e.g. 24/7, or "Mon-Fri 08:00-20:00; Sat 09:00-14:00" (days Mon..Sun or daily, a range running Mon→Sun — "Sun,Mon" for the two —, lists without spaces; times HH:MM, 24:00 = midnight)';

export function parseOpeningHours(text: string): WeeklyWindow[] {
  const spec = text.trim();
  if (/^24\s*\/\s*7$/.test(spec)) return [{ days: ALL_DAYS, from: '00:00', to: '24:00' }];
  const problems: Array<{ where: string; message: string }> = [];
  const windows: WeeklyWindow[] = [];
  for (const part of spec.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\S+)\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/.exec(part);
    const days = m ? weekdays(m[1]) : null;
    if (!m || !days) {
      problems.push({ where: '--open', message: `"${part}" is not "DAYS HH:MM-HH:MM" (${FORMAT})` });
      continue;
    }
    const [from, to] = [m[2], m[3]];
    const start = parseLocalTime(from);
    const end = parseLocalTime(to);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= 24 * 60) problems.push({ where: '--open', message: `"${part}": ${from}-${to} is not a time of day from 00:00 to 24:00` });
    else if (end <= start) problems.push({ where: '--open', message: `"${part}": the window must end after it starts (a night across midnight is two windows: "Mon 22:00-24:00; Tue 00:00-06:00")` });
    else windows.push({ days, from, to });
  }
  if (!windows.length && !problems.length) problems.push({ where: '--open', message: `no opening hours given (${FORMAT})` });
  if (problems.length) throw invalid('--open: opening hours not understood', problems);
  return windows;
}

/** "Mon-Fri", "Sat,Sun", "Mon,Wed-Fri", "daily" → ISO weekdays; null when not understood (also read by `wfm plan --weekend-days`). */
export function weekdays(text: string): IsoWeekday[] | null {
  if (text.toLowerCase() === 'daily') return ALL_DAYS;
  const days = new Set<IsoWeekday>();
  for (const item of text.toLowerCase().split(',')) {
    const ends = item.split('-');
    if (ends.length > 2) return null;
    const from = DAY_NAMES.indexOf(ends[0]);
    const to = ends[1] === undefined ? from : DAY_NAMES.indexOf(ends[1]);
    if (from < 0 || to < 0 || to < from) return null;
    for (let d = from; d <= to; d++) days.add((d + 1) as IsoWeekday);
  }
  return [...days].sort();
}
