/**
 * The export's assembly on hand-made records (no Redis): whose callouts are the agent's, which clock each
 * instant is on, and the phone by who asks.
 */
import { assembleAgentExport, type AgentRecords } from '../../src/services/agent-export';
import type { StoredCallout } from '../../src/store/trigger-repository';
import { agent, skillGroup } from '../support/examples';

const AT = Date.parse('2030-07-01T10:00:00Z');
const callout = (id: string, agentIncarnation?: string): StoredCallout => ({
  id, waveId: 'w', decisionId: 'd', agentId: 'a1', skillGroupId: 'PS', requestedAt: AT, loginAt: AT + 900_000, shiftEnd: AT + 7_200_000,
  status: 'pending', delivery: { state: 'queued', attempts: 0 }, ...(agentIncarnation !== undefined ? { agentIncarnation } : {}),
});
const records = (overrides: Partial<AgentRecords> = {}): AgentRecords => ({
  agent: agent({ id: 'a1', phone: '+972501234567' }),
  incarnation: 'inc-now',
  feedVersion: 0,
  rosters: [],
  claims: [],
  rosterZones: new Map(),
  callouts: [],
  deadLetters: [],
  responses: new Map(),
  groups: new Map([['PS', skillGroup({ id: 'PS', timeZone: 'America/Toronto' })]]),
  ...overrides,
});
const options = { phoneInFull: false, now: AT, defaultTimeZone: 'Europe/Berlin' };

describe('assembling an agent\'s export', () => {
  test('when the agent has no zone of their own, then callouts are on their group\'s clock and the rest on the service\'s default zone', () => {
    const doc = assembleAgentExport(records({ callouts: [callout('c1', 'inc-now')], lastCalledAt: AT }), options);
    expect(doc.callouts[0]).toMatchObject({ requestedAt: '2030-07-01T06:00:00-04:00', loginAt: '2030-07-01T06:15:00-04:00', answer: null, released: false });
    expect(doc.generatedAt).toBe('2030-07-01T12:00:00+02:00');
    expect(doc.trigger.lastCalledAt).toBe('2030-07-01T12:00:00+02:00');
  });

  test('when callouts under the id were made to an earlier agent given it, then they and their dead letters are left out; a callout stored before incarnations were counts as the agent\'s', () => {
    const deadLetter = (calloutId: string) => ({ calloutId, agentId: 'a1', skillGroupId: 'PS', waveId: 'w', reason: 'r', attempts: 1, at: AT });
    const doc = assembleAgentExport(records({ callouts: [callout('mine', 'inc-now'), callout('earlier', 'inc-before'), callout('legacy')], deadLetters: [deadLetter('mine'), deadLetter('earlier'), deadLetter('pruned')] }), options);
    expect(doc.callouts.map((c) => c.id)).toEqual(['mine', 'legacy']);
    // a dead letter whose callout is gone cannot be told apart: it is listed
    expect(doc.deadLetters.map((d) => d.calloutId)).toEqual(['mine', 'pruned']);
  });

  test('when a planner asks, then the phone is masked; the agent or an admin read it whole', () => {
    expect(assembleAgentExport(records(), options).profile.phone).toBe('+97250*****67');
    expect(assembleAgentExport(records(), { ...options, phoneInFull: true }).profile.phone).toBe('+972501234567');
  });
});
