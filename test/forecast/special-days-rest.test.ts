/**
 * The planner over REST: a Bavarian center's skill group (country DE-BY), and what the answer to
 * declaring special days says that the days themselves would not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestService, KEYS, type TestService } from '../support/service';

const admin = { 'X-API-Key': KEYS.admin };
const group = (id: string, country: string) => ({ id, name: id, timeZone: 'Europe/Berlin', intervalMinutes: 30, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, ahtSeconds: 300, shrinkage: 0.3, maxOccupancy: 0.85, channel: 'voice', overflowTo: [], country });

describe('special days and regional calendars over REST', () => {
  let t: TestService;
  // a model directory of its own: the working tree's models/ belongs to another deployment (key prefix)
  const modelDir = mkdtempSync(path.join(tmpdir(), 'wfm-special-days-models-'));
  beforeAll(async () => { t = await startTestService({ MODEL_DIR: modelDir, TRIGGER_TICK_CRON: 'off' }); });
  afterAll(async () => {
    await t?.stop();
    rmSync(modelDir, { recursive: true, force: true });
  });

  it('when a group\'s country is a region (DE-BY), then it is stored; an unknown region is refused', async () => {
    await t.http.post('/skill-groups').set(admin).send([group('BY1', 'DE-BY')]).expect(200);
    const unknown = await t.http.post('/skill-groups').set(admin).send([group('XX1', 'DE-XX')]);
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.body.errors)).toMatch(/country/);
  });

  it('when special days are declared without uplift or on a public holiday, then the answer warns how they are forecast', async () => {
    const res = await t.http.put('/skill-groups/BY1/special-days').set(admin).send([{ date: '2026-01-06', label: 'open as usual', uplift: 1 }, { date: '2026-03-11', label: 'spring sale' }]).expect(200);
    expect(res.body.specialDays).toEqual([{ date: '2026-01-06', label: 'open as usual', uplift: 1 }, { date: '2026-03-11', label: 'spring sale' }]);
    expect(res.body.warnings).toEqual([
      expect.stringMatching(/^2026-01-06 is a public holiday in DE-BY \("Heilige Drei Könige"\): the special day replaces it/),
      expect.stringMatching(/^2026-03-11 \("spring sale"\) has no uplift: it is forecast as an ordinary day, unless/),
    ]);
    const plain = await t.http.put('/skill-groups/BY1/special-days').set(admin).send([{ date: '2026-03-12', label: 'sale', uplift: 1.5 }]).expect(200);
    expect(plain.body.warnings).toEqual([]);
  });

  it('when an uplift is out of range (300 typed for +300 %), then the 400 says the uplift multiplies', async () => {
    const res = await t.http.put('/skill-groups/BY1/special-days').set(admin).send([{ date: '2026-03-12', label: 'sale', uplift: 300 }]).expect(400);
    expect(res.body.errors).toEqual([{ where: '/body/0/uplift', message: expect.stringContaining('uplift multiplies the ordinary volume: 4 for +300 %') }]);
  });
});
