import { erlangA, requiredAgents } from '../../src/staffing/erlang';
import { answerStaffingQuestion, formatErlangs } from '../../src/staffing/question';
import { WfmError } from '../../src/errors/wfm-error';

const question = { volume: 50_000, intervalMinutes: 30, ahtSeconds: 180, serviceLevel: { fraction: 0.8, answerWithinSeconds: 20 }, patienceSeconds: 120 };

describe('one interval\'s staffing question', () => {
  test('when an abandonment cap is given, then the requirement is the fewest agents that also keep P(abandon) under it', () => {
    const capped = requiredAgents({ callsPerInterval: 50_000, intervalSeconds: 1800, ahtSeconds: 180, serviceLevel: question.serviceLevel, patienceSeconds: 120, shrinkage: 0, maxOccupancy: 1, maxAbandonment: 0.05 });
    const oneFewer = erlangA({ callsPerInterval: 50_000, intervalSeconds: 1800, ahtSeconds: 180, agents: capped.rawAgents - 1, answerWithinSeconds: 20, patienceSeconds: 120 });

    expect(capped.performance.probAbandon).toBeLessThanOrEqual(0.05);
    expect(oneFewer.probAbandon).toBeGreaterThan(0.05);
  });

  test('when the requirement is below the offered load, then the answer warns; with a cap it does not', () => {
    expect(answerStaffingQuestion(question).warnings).toEqual([expect.stringContaining('13.1 % hang up (maxAbandonment caps it)')]);
    expect(answerStaffingQuestion({ ...question, maxAbandonment: 0.05 }).warnings).toEqual([]);
  });

  test('when Erlang C answers, then P(abandon) is null (not modelled), and Erlang A gives a number', () => {
    const { patienceSeconds: _unused, ...erlangC } = question;
    expect(answerStaffingQuestion({ ...erlangC, volume: 100 }).requirement!.performance.probAbandon).toBeNull();
    expect(answerStaffingQuestion({ ...question, volume: 100 }).requirement!.performance.probAbandon).toBeGreaterThan(0);
  });

  test('when a limit on agents is given, then a larger load is refused naming the volume before any search', () => {
    const started = performance.now();
    let error: unknown;
    try {
      answerStaffingQuestion({ ...question, volume: 5e6 }, { maxAgents: 10_000 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WfmError);
    expect((error as WfmError).details).toEqual([{ where: 'volume', message: expect.stringMatching(/^an offered load of 500000\.00 Erlangs needs more than 10,000 agents/) }]);
    expect(performance.now() - started).toBeLessThan(100);
  });

  test('when a load is a fraction of an Erlang, then it keeps three significant digits', () => {
    expect(formatErlangs(0.001)).toBe('0.001');
    expect(formatErlangs(0.0123456)).toBe('0.0123');
    expect(formatErlangs(0)).toBe('0.00');
    expect(formatErlangs(10)).toBe('10.00');
  });
});
