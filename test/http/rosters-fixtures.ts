/**
 * A small rostering world for the REST tests: PS and NE in Jerusalem, six PS partners, two NE+PS partners
 * who never work Fridays, cloud agents, a stored PS forecast for the week of Monday 2030-01-07 and NE
 * history before it (so NE's forecast is computed from history).
 */
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import type { Agent, SkillGroup } from '../../src/domain/types';
import type { CloudSlot } from '../../src/roster/assignment';
import { createStore, type Store } from '../../src/store/store';
import { KEYS, REDIS_URL, startTestService, type TestService } from '../support/service';
import { agent, skillGroup } from '../support/examples';

export const ZONE = 'Asia/Jerusalem';
export const FROM = '2030-01-07';
export const CLAIM_SECRET = 'claim-secret-0123456789abcdef';
/** small searches keep a build at a second or two */
export const FAST_RULES = { options: { ruinAndRecreateIterations: 200, localSearchPasses: 2 } };

export const GROUPS: SkillGroup[] = [skillGroup({ id: 'PS', timeZone: ZONE }), skillGroup({ id: 'NE', name: 'Stock exchange', timeZone: ZONE, overflowTo: ['PS'] })];

const partTime = { class: 'part-time', minHoursPerWeek: 0, maxHoursPerWeek: 30, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 };

export function partners(): Agent[] {
  const ps = Array.from({ length: 6 }, (_, i) => agent({ id: `P${i + 1}`, name: `Partner ${i + 1}`, timeZone: ZONE, contract: { ...partTime, class: 'full-time', maxHoursPerWeek: 40 } }));
  const ne = ['N1', 'N2'].map((id) =>
    agent({ id, name: id, timeZone: ZONE, skills: [{ skillGroupId: 'NE' }, { skillGroupId: 'PS' }], contract: partTime, availability: [{ days: [7, 1, 2, 3, 4], from: '06:00', to: '24:00' }] }),
  );
  return [...ps, ...ne];
}

export function cloudAgents(count: number): Agent[] {
  return Array.from({ length: count }, (_, i) =>
    agent({ id: `C${String(i).padStart(3, '0')}`, name: `Cloud ${i}`, kind: 'cloud', timeZone: ZONE, contract: { class: 'cloud', minHoursPerWeek: 0, maxHoursPerWeek: 20, maxDaysPerWeek: 5, maxConsecutiveDays: 5, minRestHours: 11 } }),
  );
}

/** Half-hours from 08:00 to 18:00 local on `days` days from `from`, with `volume(date, slot)` calls. */
function dayGrid(from: string, days: number, volume: (weekday: number, slot: number) => number) {
  const rows: Array<{ start: number; volume: number }> = [];
  for (let d = 0; d < days; d++) {
    const day = DateTime.fromISO(from, { zone: ZONE }).plus({ days: d });
    for (let slot = 0; slot < 20; slot++) rows.push({ start: day.set({ hour: 8 }).plus({ minutes: 30 * slot }).toMillis(), volume: volume(day.weekday, slot) });
  }
  return rows;
}

export async function seedForecastAndHistory(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const store = createStore(redis, prefix);
    const ps = dayGrid(FROM, 7, (weekday, slot) => (weekday >= 6 ? 8 : 30 + (slot >= 6 && slot <= 12 ? 20 : 0)));
    await store.forecasts.replace(
      { skillGroupId: 'PS', createdAt: new Date().toISOString(), from: DateTime.fromISO(FROM, { zone: ZONE }).toISO()!, alias: 'decomposition', baselineFallback: false },
      ps.map((r) => ({ intervalStart: r.start, p10: r.volume * 0.8, p50: r.volume, p90: r.volume * 1.2, ahtSeconds: 180 })),
    );
    const historyFrom = DateTime.fromISO(FROM, { zone: ZONE }).minus({ days: 42 }).toISODate()!;
    const ne = dayGrid(historyFrom, 42, (weekday) => (weekday >= 6 ? 0 : 12));
    await store.history.upsert(ne.map((r) => ({ skillGroupId: 'NE', start: r.start, volume: r.volume, ahtSeconds: 200 })));
  } finally {
    redis.disconnect();
  }
}

export function storeFor(prefix: string): { store: Store; close: () => void } {
  const redis = new Redis(REDIS_URL);
  return { store: createStore(redis, prefix), close: () => redis.disconnect() };
}

/**
 * Stores a draft of the UTC week of Monday 2030-01-07 holding only `slots` (no shifts) and publishes it
 * over REST: a roster cloud agents can claim on, without a build.
 */
export async function publishSlotsWeek(t: TestService, id: string, slots: CloudSlot[], createdAtMs: number): Promise<void> {
  const { store, close } = storeFor(t.prefix);
  try {
    const startMs = Date.parse('2030-01-07T00:00:00Z');
    await store.rosters.saveDraft({
      meta: { id, createdAt: new Date(createdAtMs).toISOString(), period: { from: '2030-01-07', days: 7, timeZone: 'UTC', startMs, endMs: startMs + 7 * 86_400_000 }, skillGroupIds: ['PS'], request: {}, summary: {}, details: {} },
      shifts: [],
      uncovered: [],
      coverage: [],
      slots,
    });
  } finally {
    close();
  }
  await t.http.post(`/rosters/${id}/publish`).set({ 'X-API-Key': KEYS.planner }).expect(200);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a roster's status until the job is done (draft) or failed. */
export async function waitForRoster(http: TestService['http'], id: string, headers: Record<string, string>): Promise<{ status: string; failedReason?: string }> {
  let last: { status: string; failedReason?: string } = { status: 'unknown' };
  for (let i = 0; i < 400; i++) {
    const res = await http.get(`/rosters/${id}/status`).set(headers);
    last = res.body;
    if (!['queued', 'building'].includes(last.status)) return last;
    await sleep(150);
  }
  return last;
}

/** A service with the rostering world loaded: the two groups, these agents, PS's stored forecast and NE's history. */
export async function startRosterWorld(agents: Agent[], env: Record<string, string> = {}, options: Parameters<typeof startTestService>[1] = {}): Promise<TestService> {
  const t = await startTestService(env, options);
  await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send(GROUPS).expect(200);
  await t.http.post('/agents').set('X-API-Key', KEYS.admin).send(agents).expect(200);
  await seedForecastAndHistory(t.prefix);
  return t;
}

/** Requests a roster and waits for its draft; the draft's id. */
export async function buildDraft(t: TestService, body: object): Promise<string> {
  const headers = { 'X-API-Key': KEYS.planner };
  const res = await t.http.post('/rosters').set(headers).send(body);
  if (res.status !== 202) throw new Error(`POST /rosters answered ${res.status}: ${JSON.stringify(res.body)}`);
  const status = await waitForRoster(t.http, res.body.id, headers);
  if (status.status !== 'draft') throw new Error(`roster ${res.body.id} ended ${status.status}: ${status.failedReason ?? ''}`);
  return res.body.id as string;
}
