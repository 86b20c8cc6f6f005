import { startTestService, KEYS, type TestService } from '../support/service';
import type { CloudSlot } from '../../src/roster/assignment';
import type { PlannedShift } from '../../src/roster/types';
import type { RosterCoverageRow } from '../../src/roster/build';
import { agent } from '../support/examples';
import { CLAIM_SECRET, cloudAgents, GROUPS, partners, storeFor } from './rosters-fixtures';

const HOUR = 3_600_000;
const HALF = HOUR / 2;

describe('what planners read of the claims: coverage with the slots claimed so far, and who could still claim each slot', () => {
  let t: TestService;
  const admin = { 'X-API-Key': KEYS.admin };
  const planner = { 'X-API-Key': KEYS.planner };
  const cloud = cloudAgents(3);
  const tokens = new Map<string, string>();
  // the service's clock: now, unless a test moves it
  let clockAt: number | undefined;
  // two days ahead on a whole hour, so no claim cut-off is near
  const start = Math.ceil(Date.now() / HOUR) * HOUR + 48 * HOUR;
  const date = new Date(start).toISOString().slice(0, 10);
  // the shift behind the slot: 4 h with a 30-minute meal in its third half hour
  const behind: PlannedShift = { id: 'open-1', skillGroupId: 'PS', templateId: 'day', kind: 'day', date, start, end: start + 4 * HOUR, breaks: [{ kind: 'meal', start: start + HOUR, end: start + HOUR + HALF }] };
  const slot: CloudSlot = { id: 'slot-1', skillGroupId: 'PS', templateId: 'day', kind: 'day', date, start, end: start + 4 * HOUR, agentsNeeded: 2, shiftIds: ['open-1', 'open-1'] };
  // NE's only cloud agent has that day off: nobody can take this one
  const stranded: CloudSlot = { ...slot, id: 'slot-ne', skillGroupId: 'NE', agentsNeeded: 1, shiftIds: ['open-2'] };
  const cloudContract = cloud[0].contract;
  const others = [
    agent({ id: 'C-OFF', kind: 'cloud', contract: cloudContract, daysOff: [date] }),
    // available mornings only (UTC): the slot's hours are outside unless it starts and ends by noon
    agent({ id: 'C-AM', kind: 'cloud', contract: cloudContract, timeZone: 'UTC', availability: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '00:30' }] }),
    agent({ id: 'C-NE', kind: 'cloud', contract: cloudContract, skills: [{ skillGroupId: 'NE' }], daysOff: [date] }),
    // a partner with the skill is no candidate for a cloud slot
    agent({ id: 'P-PS', contract: { ...cloudContract, class: 'full-time' } }),
  ];
  // PS is short by 2.5 agents in every half hour of the slot; nobody is needed the half hour after it
  const rows: RosterCoverageRow[] = Array.from({ length: 9 }, (_, k) => {
    const inSlot = k < 8;
    return { skillGroupId: 'PS', intervalStart: start + k * HALF, required: inSlot ? 5.5 : 0, scheduled: 3, shortfall: inSlot ? 2.5 : 0, volume: inSlot ? 20 : 0, ahtSeconds: 180, serviceLevel: inSlot ? 0.2 : 1, asaSeconds: inSlot ? 300 : 0, abandonment: inSlot ? 0.3 : 0 };
  });

  beforeAll(async () => {
    t = await startTestService({ CLAIM_TOKEN_SECRET: CLAIM_SECRET }, { now: () => clockAt ?? Date.now() });
    await t.http.post('/skill-groups').set(admin).send(GROUPS).expect(200);
    await t.http.post('/agents').set(admin).send([...partners(), ...cloud, ...others]).expect(200);
    for (const a of cloud) tokens.set(a.id, (await t.http.post(`/agents/${a.id}/claim-token`).set(planner).send({}).expect(201)).body.token);
    const { store, close } = storeFor(t.prefix);
    try {
      const from = new Date(start - 24 * HOUR).toISOString().slice(0, 10);
      await store.rosters.saveDraft({
        meta: { id: 'week', createdAt: new Date().toISOString(), period: { from, days: 7, timeZone: 'UTC', startMs: Date.parse(`${from}T00:00:00Z`), endMs: Date.parse(`${from}T00:00:00Z`) + 7 * 24 * HOUR }, skillGroupIds: ['PS', 'NE'], request: {}, summary: {}, details: {} },
        shifts: [],
        uncovered: [behind, { ...behind, id: 'open-2' }],
        coverage: rows,
        slots: [slot, stranded],
      });
    } finally {
      close();
    }
    await t.http.post('/rosters/week/publish').set(planner).expect(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  const coverage = async () => (await t.http.get('/rosters/week/coverage?skillGroupId=PS').set(planner).expect(200)).body as Array<Record<string, unknown> & { withClaims?: Record<string, number> }>;

  const candidates = async () => Object.fromEntries(((await t.http.get('/rosters/week/slots').set(planner).expect(200)).body as Array<{ slotId: string; candidates: number }>).map((s) => [s.slotId, s.candidates]));

  test('when a planner lists the slots, then each says how many cloud agents could still claim it: the skill, no day off, available, not holding it', async () => {
    expect(await candidates()).toEqual({ 'slot-1': 3, 'slot-ne': 0 });
    await t.http.post('/me/claims/week/slot-1').set({ Authorization: `Bearer ${tokens.get('C002')}` }).expect(201);
    expect(await candidates()).toEqual({ 'slot-1': 2, 'slot-ne': 0 });
    await t.http.delete('/me/claims/week/slot-1').set({ Authorization: `Bearer ${tokens.get('C002')}` }).expect(204);
    expect(await candidates()).toEqual({ 'slot-1': 3, 'slot-ne': 0 });
    // once the slot has started, nobody can claim it any more
    clockAt = start + 1;
    try {
      expect(await candidates()).toEqual({ 'slot-1': 0, 'slot-ne': 0 });
    } finally {
      clockAt = undefined;
    }
  });

  test('when no slot is claimed yet, then every row reads 0 claimed and the partners\' shortfall as still open', async () => {
    const before = await coverage();
    expect(before).toHaveLength(9);
    for (const row of before) {
      expect(row).toMatchObject({ claimed: 0, openShortfall: row.shortfall });
      expect(row.withClaims).toBeUndefined();
    }
  });

  test('when cloud agents claim a slot, then coverage counts them net of the meal, the open shortfall shrinks and the predicted service with them improves', async () => {
    await t.http.post('/me/claims/week/slot-1').set({ Authorization: `Bearer ${tokens.get('C000')}` }).expect(201);
    const one = await coverage();
    // the meal half hour counts nobody of the claimant
    expect(one.map((r) => r.claimed)).toEqual([1, 1, 0, 1, 1, 1, 1, 1, 0]);
    expect(one[0]).toMatchObject({ scheduled: 3, shortfall: 2.5, openShortfall: 1.5 });
    expect(one[2]).toMatchObject({ claimed: 0, openShortfall: 2.5 });
    expect(one[2].withClaims).toBeUndefined();
    // 20 calls of 3 minutes a half hour is 2 Erlangs: 3 partners less the residual shrinkage answer under half in time, a fourth agent most
    expect(one[0].withClaims!.serviceLevel).toBeGreaterThan(0.6);
    expect(one[8].withClaims).toBeUndefined();
    await t.http.post('/me/claims/week/slot-1').set({ Authorization: `Bearer ${tokens.get('C001')}` }).expect(201);
    const two = await coverage();
    expect(two[0]).toMatchObject({ claimed: 2, openShortfall: 0.5 });
    expect(two[0].withClaims!.serviceLevel).toBeGreaterThan(one[0].withClaims!.serviceLevel);
    expect(two[0].withClaims!.asaSeconds).toBeLessThan(one[0].withClaims!.asaSeconds);
    // the stored partners' figures stay as built
    expect(two[0]).toMatchObject({ scheduled: 3, shortfall: 2.5, serviceLevel: 0.2 });
  });
});
