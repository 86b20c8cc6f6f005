import { startTestService, KEYS, type TestService } from '../support/service';
import { skillGroup } from '../support/examples';
import { SkillGroupRepository } from '../../src/store/skill-group-repository';

describe('reading history while its skill group is deleted', () => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService();
    await t.http.post('/skill-groups').set('X-API-Key', KEYS.admin).send([skillGroup({ id: 'BER', timeZone: 'Europe/Berlin' })]).expect(200);
    await t.http.post('/history').set('X-API-Key', KEYS.ingest).type('text/csv').send('interval_start,skill_group,volume\n1999-02-03T13:00:00+01:00,BER,10\n').expect(200);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await t.stop();
  });

  test('when the group is deleted right after the read checked it, then the answer is the intervals read, on the zone read with them (not a 500)', async () => {
    // the group is found once; any later look-up finds it deleted
    const get = SkillGroupRepository.prototype.get;
    let found = 0;
    jest.spyOn(SkillGroupRepository.prototype, 'get').mockImplementation(async function (this: SkillGroupRepository, id: string) {
      return found++ === 0 ? get.call(this, id) : undefined;
    });
    for (const format of ['json', 'csv']) {
      found = 0;
      const res = await t.http.get('/history/BER').query({ from: '1999-02-03T00:00:00Z', to: '1999-02-04T00:00:00Z', format }).set('X-API-Key', KEYS.planner);
      expect([format, res.status]).toEqual([format, 200]);
      expect(format === 'csv' ? res.text : res.body[0].interval_start).toContain('1999-02-03T13:00:00+01:00');
    }
  });
});
