/** Interval history upload and range reads (roles: x-roles in openapi.yaml). */
import { Router } from 'express';
import { formatIntervalsCsv, ZoneClock } from '../../history';
import { readHistory, uploadHistory } from '../../services/history';
import type { Store } from '../../store/store';

export function historyRoutes(store: Store, now: () => number): Router {
  const r = Router();

  r.post('/history', async (req, res) => {
    const granularity = req.query.granularity === undefined ? undefined : Number(req.query.granularity);
    const batch = typeof req.body === 'string' ? { csv: req.body } : { rows: req.body };
    res.json(await uploadHistory(store, batch, { granularityMinutes: granularity, nowMs: now() }));
  });

  r.get('/history/:skillGroupId', async (req, res) => {
    const id = req.params.skillGroupId;
    const { timeZone: zone, intervals } = await readHistory(store, id, Date.parse(String(req.query.from)), Date.parse(String(req.query.to)));
    // CSV when asked by ?format=csv, or by Accept from a client that prefers it to JSON (format=json wins)
    const csv = req.query.format === 'csv' || (req.query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (csv) {
      res.type('text/csv').vary('Accept').send(formatIntervalsCsv(intervals, () => zone));
      return;
    }
    const clock = new ZoneClock(zone); // caches offsets: a year of intervals is formatted in milliseconds
    res.vary('Accept').json(
      intervals.map((i) => ({
        interval_start: clock.format(i.start),
        skill_group: i.skillGroupId,
        volume: i.volume,
        ...(i.ahtSeconds === undefined ? {} : { aht_seconds: i.ahtSeconds }),
      })),
    );
  });
  return r;
}
