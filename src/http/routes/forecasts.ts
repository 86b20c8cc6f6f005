/** Forecasts, training, model versions, special days and realtime events (roles: x-roles in openapi.yaml). */
import { Router } from 'express';
import type { SkillGroup } from '../../domain/types';
import { FORECAST_HISTORY_DAYS, type Horizon } from '../../forecast';
import { repeatedSpecialDays, specialDayWarnings, type SpecialDay } from '../../forecast/calendar';
import { invalid, WfmError } from '../../errors/wfm-error';
import { QUEUE } from '../../queue/names';
import type { Queues } from '../../queue/queues';
import type { FsModelRegistry } from '../../registry/fs-model-registry';
import { computeRealtimeForecast, readTwoWeekForecast, tooLittleHistoryToTrain } from '../../services/forecasting';
import type { Store } from '../../store/store';
import { DAY_MS, formatInstant } from '../../time/grid';
import { checkRealtimeBatch, type RealtimeEventBody } from '../../trigger/realtime-ingest';

interface Deps {
  store: Store;
  queues: Queues;
  registry: FsModelRegistry;
  now: () => number;
}

/** The group, if it has history to train or forecast from: a job queued without any could only fail. */
async function withHistory(store: Store, id: string) {
  const g = await group(store, id);
  if (!(await store.history.extent(g.id))) {
    throw new WfmError('insufficient-history', `skill group ${g.id} has no history yet: upload it (POST /history) before training or forecasting`, { details: [{ where: '/path/skillGroupId', message: 'no history' }] });
  }
  return g;
}

async function group(store: Store, id: string) {
  const g = await store.skillGroups.get(id);
  if (!g) throw new WfmError('not-found', `skill group ${id} does not exist`);
  return g;
}

export function forecastRoutes({ store, queues, registry, now }: Deps): Router {
  const r = Router();

  r.post('/skill-groups/:skillGroupId/training', async (req, res) => {
    const g = await withHistory(store, req.params.skillGroupId);
    const tooLittle = await tooLittleHistoryToTrain(store, g, now());
    if (tooLittle) throw new WfmError('insufficient-history', tooLittle, { details: [{ where: '/path/skillGroupId', message: 'too little history to train' }] });
    // each horizon once, however often the request names it
    const horizons = [...new Set((req.body?.horizons as Horizon[] | undefined) ?? ['two-week', 'realtime'])];
    const jobs = [];
    for (const horizon of horizons) {
      const jobId = await queues.add(QUEUE.trainForecaster, { skillGroupId: g.id, horizon });
      jobs.push({ horizon, jobId, status: `/jobs/${QUEUE.trainForecaster}/${jobId}` });
    }
    // one job, one status to poll; several (both horizons) have no one place to point at: each has its `status`
    if (jobs.length === 1) res.location(jobs[0].status);
    res.status(202).json({ jobs });
  });

  r.post('/skill-groups/:skillGroupId/forecast/refresh', async (req, res) => {
    const g = await withHistory(store, req.params.skillGroupId);
    if (req.body?.from) await withinHistoryReach(g, Date.parse(String(req.body.from)), '/body/from');
    const jobId = await queues.add(QUEUE.forecast, { skillGroupId: g.id, ...(req.body?.from ? { from: req.body.from } : {}) });
    const status = `/jobs/${QUEUE.forecast}/${jobId}`;
    res.status(202).location(status).json({ jobId, status });
  });

  r.get('/skill-groups/:skillGroupId/forecast', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    const horizon = (req.query.horizon as Horizon | undefined) ?? 'two-week';
    const fmt = (ms: number) => formatInstant(ms, g.timeZone);
    if (horizon !== 'realtime' && req.query.at !== undefined) {
      throw invalid('`at` applies to horizon=realtime', [{ where: '/query/at', message: 'the two-week forecast is read with from/to' }]);
    }
    const spanGiven = (['from', 'to'] as const).filter((name) => req.query[name] !== undefined);
    if (horizon === 'realtime' && spanGiven.length) {
      throw invalid(`${spanGiven.map((n) => `\`${n}\``).join(' and ')} ${spanGiven.length > 1 ? 'apply' : 'applies'} to horizon=two-week`, spanGiven.map((n) => ({ where: `/query/${n}`, message: 'the realtime forecast is read with at (the 30 minutes from it)' })));
    }
    if (horizon === 'realtime') {
      const given = Boolean(req.query.at);
      const at = given ? Date.parse(String(req.query.at)) : now();
      // without `at` it is now: the error still points at `at`, the parameter that answers a past instant
      await withinHistoryReach(g, at, '/query/at', given ? undefined : `now (${formatInstant(at, g.timeZone)}; no \`at\` given)`);
      const f = await computeRealtimeForecast({ store, registry, now }, g.id, at);
      res.json({
        skillGroupId: g.id,
        horizon,
        alias: f.alias,
        modelVersion: f.modelVersion,
        baselineFallback: f.baselineFallback,
        ...(f.fallbackReason ? { fallbackReason: f.fallbackReason } : {}),
        at: fmt(f.at),
        ...(f.warnings.length ? { warnings: f.warnings } : {}),
        lastEventAt: f.lastEventAt === null ? null : fmt(f.lastEventAt),
        feedStale: f.feedStale,
        callsSoFar: f.callsSoFar,
        minutesCounted: f.minutesCounted,
        total: f.total,
        totalMinutes: f.totalMinutes,
        observedToExpected: f.observedToExpected,
        observedToExpectedRaw: f.observedToExpectedRaw,
        signalsRead: f.signalsRead,
        points: f.points.map((p) => ({ interval_start: fmt(p.intervalStart), p10: p.p10, p50: p.p50, p90: p.p90 })),
        ...(f.window
          ? {
              next30Minutes: {
                window: { from: fmt(f.window.from), to: fmt(f.window.to) },
                granularity: f.window.granularity,
                total: f.window.total,
                points: f.window.points.map((p) => ({ start: fmt(p.start), end: fmt(p.end), p10: p.p10, p50: p.p50, p90: p.p90 })),
              },
            }
          : {}),
      });
      return;
    }
    const read = await readTwoWeekForecast(store, g, {
      from: req.query.from ? Date.parse(String(req.query.from)) : undefined,
      to: req.query.to ? Date.parse(String(req.query.to)) : undefined,
    });
    res.json({
      ...read.meta,
      horizon,
      covers: { from: fmt(read.covers.from), to: fmt(read.covers.to) },
      ...(read.warnings.length ? { warnings: read.warnings } : {}),
      points: read.points.map((p) => ({ interval_start: fmt(p.intervalStart), p10: p.p10, p50: p.p50, p90: p.p90, ...(p.expected !== undefined ? { expected: p.expected } : {}), ...(p.ahtSeconds !== undefined ? { aht_seconds: p.ahtSeconds } : {}) })),
    });
  });

  r.get('/skill-groups/:skillGroupId/models/:horizon', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    // newest first, as the contract says (the registry lists them in the order they were made)
    res.json((await registry.listVersions(g.id, req.params.horizon as Horizon)).reverse());
  });

  r.get('/skill-groups/:skillGroupId/backtest', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    const horizon = (req.query.horizon as Horizon | undefined) ?? 'two-week';
    const versions = await registry.listVersions(g.id, horizon);
    const live = versions.find((v) => v.status === 'live');
    if (!live) throw new WfmError('not-found', `no trained ${horizon} model for ${g.id} yet: POST /skill-groups/${g.id}/training`);
    res.json({ skillGroupId: g.id, horizon, version: live.version, metrics: live.metrics });
  });

  r.post('/skill-groups/:skillGroupId/models/:horizon/rollback', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    const horizon = req.params.horizon as Horizon;
    const version = req.body?.version as string | undefined;
    if (version !== undefined && !(await registry.listVersions(g.id, horizon)).some((v) => v.version === version)) {
      throw new WfmError('not-found', `no model version ${version} for ${g.id}/${horizon}`, { details: [{ where: '/body/version', message: `not a version of ${g.id}/${horizon}: GET /skill-groups/${g.id}/models/${horizon} lists them` }] });
    }
    const rolledBack = await registry.rollback(g.id, horizon, version);
    // the stored two-week forecast is the live model's: recompute it, as after a training
    if (horizon === 'two-week') await queues.add(QUEUE.forecast, { skillGroupId: g.id });
    res.json(rolledBack);
  });

  /**
   * A forecast from a time the history does not reach back from (before its first interval, or further
   * after its last than the forecast reads) is a 422 naming that field, not a job that fails or an empty answer.
   */
  /** `defaulted` names the instant when the caller did not give it (realtime without `at` is now). */
  async function withinHistoryReach(g: SkillGroup, at: number, where: string, defaulted?: string): Promise<void> {
    const range = await store.history.intervalRange(g.id);
    const name = defaulted ?? `\`${where.split('/').pop()}\``;
    const reach = range ? `the history of ${g.id} runs from ${formatInstant(range.firstStart, g.timeZone)} to ${formatInstant(range.lastStart, g.timeZone)} (its last interval's start)` : `${g.id} has no history`;
    const giveAt = defaulted ? ': give `at`, an instant the history reaches' : '';
    if (!range || at <= range.firstStart) throw invalid(`no history before ${name}: ${reach}${giveAt}`, [{ where, message: 'before the first interval of history' }]);
    if (at - range.lastStart > FORECAST_HISTORY_DAYS * DAY_MS) {
      throw invalid(`${name} is more than ${FORECAST_HISTORY_DAYS} days after the history ends: ${reach}${giveAt}`, [{ where, message: `the forecast reads the ${FORECAST_HISTORY_DAYS} days before it` }]);
    }
  }

  /** The stored two-week forecast reads special days: recompute it (when there is one) so a change shows at once. */
  async function refreshStoredForecast(skillGroupId: string): Promise<void> {
    if (await store.forecasts.meta(skillGroupId)) await queues.add(QUEUE.forecast, { skillGroupId });
  }

  r.get('/skill-groups/:skillGroupId/special-days', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    res.json(await store.specialDays.list(g.id));
  });
  r.put('/skill-groups/:skillGroupId/special-days', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    const days = req.body as SpecialDay[];
    const repeated = repeatedSpecialDays(days, '/body');
    if (repeated.length) throw invalid('a special day is declared twice in the request', repeated);
    await store.specialDays.putAll(g.id, days);
    await refreshStoredForecast(g.id);
    res.json({ specialDays: await store.specialDays.list(g.id), warnings: specialDayWarnings(days, g.country) });
  });
  r.delete('/skill-groups/:skillGroupId/special-days/:date', async (req, res) => {
    const g = await group(store, req.params.skillGroupId);
    if (!(await store.specialDays.delete(g.id, req.params.date))) throw new WfmError('not-found', `no special day ${req.params.date} for ${g.id}`);
    await refreshStoredForecast(g.id);
    res.status(204).end();
  });

  r.post('/realtime/events', async (req, res) => {
    const groups = await store.skillGroups.map();
    const { events, problems } = checkRealtimeBatch(req.body as RealtimeEventBody[], groups, now(), store.realtime.retentionDays);
    if (problems.length) throw invalid(`${problems.length} problem(s) in the events; nothing was stored`, problems);
    await store.realtime.append(events, now());
    res.json({ stored: events.length });
  });
  return r;
}
