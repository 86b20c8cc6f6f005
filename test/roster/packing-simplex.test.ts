import solver from 'javascript-lp-solver';
import { PackingSimplex } from '../../src/roster/packing-simplex';
import { seededRandom } from '../../src/roster/synthetic';

describe('PackingSimplex (max c·x, A x ≤ b, 0/1 columns)', () => {
  it('solves the odd cycle to its fractional optimum with the textbook duals', () => {
    // Three items, every pair shares a row: the LP takes ½ of each (1.5), each row priced at ½.
    const lp = new PackingSimplex([1, 1, 1]);
    lp.addColumn({ rows: [0, 2], cost: 1 });
    lp.addColumn({ rows: [0, 1], cost: 1 });
    lp.addColumn({ rows: [1, 2], cost: 1 });
    const s = lp.solve();
    expect(s.objective).toBeCloseTo(1.5, 5);
    for (const x of s.x) expect(x).toBeCloseTo(0.5, 5);
    for (const y of s.duals) expect(y).toBeCloseTo(0.5, 5);
  });

  it('keeps its basis when a column is added and re-optimises from there', () => {
    const lp = new PackingSimplex([1, 1]);
    lp.addColumn({ rows: [0], cost: 2 });
    const first = lp.solve();
    expect(first.objective).toBeCloseTo(2, 5);
    lp.addColumn({ rows: [0, 1], cost: 3 });
    lp.addColumn({ rows: [1], cost: 2 });
    const second = lp.solve();
    expect(second.objective).toBeCloseTo(4, 5);
    expect(second.x[1]).toBeCloseTo(0, 5);
  });

  it.each([
    ['as built', undefined],
    ['with B⁻¹ rebuilt from the basis every 3 pivots', 3],
  ])('matches javascript-lp-solver on random packing LPs and proves optimality by duality (%s)', (_name, refactorEvery) => {
    for (let seed = 1; seed <= 12; seed++) {
      const rand = seededRandom(seed);
      const m = 6 + Math.floor(rand() * 20);
      const rhs = Array.from({ length: m }, () => 1 + Math.floor(rand() * 3));
      const columns = Array.from({ length: 10 + Math.floor(rand() * 60) }, () => {
        const rows = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 5) }, () => Math.floor(rand() * m)))].sort((a, b) => a - b);
        return { rows, cost: Math.round(1 + rand() * 100) / 4 };
      });
      const lp = new PackingSimplex(rhs, { refactorEvery });
      // Added in two batches with a solve between, as column generation does.
      const half = Math.floor(columns.length / 2);
      columns.slice(0, half).forEach((c) => lp.addColumn(c));
      lp.solve();
      columns.slice(half).forEach((c) => lp.addColumn(c));
      const ours = lp.solve();

      const constraints: Record<string, { max: number }> = {};
      rhs.forEach((b, r) => (constraints[`r${r}`] = { max: b }));
      const variables: Record<string, Record<string, number>> = {};
      columns.forEach((c, j) => {
        variables[`x${j}`] = { value: c.cost };
        for (const r of c.rows) variables[`x${j}`][`r${r}`] = 1;
      });
      const reference = solver.Solve({ optimize: 'value', opType: 'max', constraints, variables }) as { result: number };
      expect(ours.objective).toBeCloseTo(reference.result, 4);

      // Feasible primal, feasible dual (y ≥ 0, every reduced cost ≤ 0) and equal objectives.
      const used = new Float64Array(m);
      columns.forEach((c, j) => c.rows.forEach((r) => (used[r] += ours.x[j])));
      used.forEach((u, r) => expect(u).toBeLessThanOrEqual(rhs[r] + 1e-5));
      ours.duals.forEach((y) => expect(y).toBeGreaterThan(-1e-7));
      columns.forEach((c) => expect(c.cost - c.rows.reduce((sum, r) => sum + ours.duals[r], 0)).toBeLessThan(1e-6));
      expect(rhs.reduce((sum, b, r) => sum + b * ours.duals[r], 0)).toBeCloseTo(ours.objective, 4);
    }
  });

  it('refuses a negative right-hand side and a row outside the LP', () => {
    expect(() => new PackingSimplex([1, -1])).toThrow(RangeError);
    expect(() => new PackingSimplex([1]).addColumn({ rows: [1], cost: 1 })).toThrow(RangeError);
  });
});
