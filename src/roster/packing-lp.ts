/**
 * A small linear-programme solver for packing problems, for column generation:
 *
 *     maximise  Σ c_j x_j   subject to   Σ_{j covers i} x_j ≤ 1 for every row i,   x ≥ 0,
 *
 * where every column covers a set of rows with coefficient 1 (an agent's whole schedule covers the
 * agent's row and the rows of its shifts). Columns can be added between solves; the previous basis is
 * kept (warm start), so re-optimising after a pricing round takes a few pivots.
 *
 * Why not javascript-lp-solver: its dense tableau needs about a minute for 1,500 such columns over 350
 * rows. Here the origin is always feasible (all right-hand sides are 1 ≥ 0), so a primal revised
 * simplex with an explicit basis inverse needs no phase one: O(rows²) per pivot, a refactorisation
 * every REFACTOR_PIVOTS pivots for accuracy. Packing LPs are highly degenerate: the right-hand sides
 * are perturbed by tiny seeded amounts so the simplex cannot cycle.
 */

export interface PackingSolution {
  objective: number;
  /** value per column, in the order added */
  x: Float64Array;
  /** dual value per row (≥ 0): what one more unit of the row would be worth */
  duals: Float64Array;
  pivots: number;
  /** false when the pivot cap was reached before optimality (the solution is feasible but not optimal) */
  optimal: boolean;
}

const EPS = 1e-9;
const PIVOT_TOLERANCE = 1e-7;
const REFACTOR_PIVOTS = 1000;

export class PackingLp {
  private readonly costs: number[] = [];
  private readonly columns: Int32Array[] = [];
  /** basic variable per row: column j ≥ 0, or slack −1 − row */
  private readonly basis: Int32Array;
  /** row-major m × m inverse of the basis matrix */
  private inverse: Float64Array;
  private readonly rhs: Float64Array;
  private values: Float64Array;
  private pivotsSinceRefactor = 0;

  constructor(readonly rows: number, random: () => number) {
    this.basis = Int32Array.from({ length: rows }, (_, i) => -1 - i);
    this.inverse = new Float64Array(rows * rows);
    for (let i = 0; i < rows; i++) this.inverse[i * rows + i] = 1;
    this.rhs = Float64Array.from({ length: rows }, () => 1 + 1e-7 * random());
    this.values = Float64Array.from(this.rhs);
  }

  get columnCount(): number {
    return this.columns.length;
  }

  /** Adds a column covering `rows` (distinct row indices) with objective coefficient `cost`; returns its index. */
  addColumn(rows: number[], cost: number): number {
    this.columns.push(Int32Array.from(rows));
    this.costs.push(cost);
    return this.columns.length - 1;
  }

  /** Re-optimises from the current basis (at most `maxPivots` pivots). */
  solve(maxPivots = 100_000): PackingSolution {
    const m = this.rows;
    let pivots = 0;
    let optimal = false;
    const duals = new Float64Array(m);
    const alpha = new Float64Array(m);
    while (pivots < maxPivots) {
      this.computeDuals(duals);
      // Entering variable: the most positive reduced cost (Dantzig), over columns and slacks.
      let entering = 0;
      let best = EPS * 1000;
      let enteringIsSlack = false;
      for (let j = 0; j < this.columns.length; j++) {
        const col = this.columns[j];
        let d = this.costs[j];
        for (let k = 0; k < col.length; k++) d -= duals[col[k]];
        if (d > best) {
          best = d;
          entering = j;
          enteringIsSlack = false;
        }
      }
      for (let i = 0; i < m; i++) {
        if (-duals[i] > best) {
          best = -duals[i];
          entering = i;
          enteringIsSlack = true;
        }
      }
      if (best <= EPS * 1000) {
        optimal = true;
        break;
      }
      // Its column in the current basis: α = B⁻¹ a.
      alpha.fill(0);
      if (enteringIsSlack) {
        for (let r = 0; r < m; r++) alpha[r] = this.inverse[r * m + entering];
      } else {
        for (const row of this.columns[entering]) for (let r = 0; r < m; r++) alpha[r] += this.inverse[r * m + row];
      }
      // Ratio test (ties to the lowest row: the perturbation makes exact ties rare).
      let leaving = -1;
      let ratio = Infinity;
      for (let r = 0; r < m; r++) {
        if (alpha[r] > PIVOT_TOLERANCE) {
          const t = this.values[r] / alpha[r];
          if (t < ratio - 1e-12) {
            ratio = t;
            leaving = r;
          }
        }
      }
      if (leaving < 0) throw new Error('packing LP unbounded: a column with no rows');
      this.pivot(leaving, alpha, enteringIsSlack ? -1 - entering : entering);
      pivots++;
    }
    this.computeDuals(duals);
    const x = new Float64Array(this.columns.length);
    let objective = 0;
    for (let r = 0; r < m; r++) {
      const j = this.basis[r];
      if (j >= 0) {
        x[j] = Math.max(0, this.values[r]);
        objective += this.costs[j] * x[j];
      }
    }
    return { objective, x, duals, pivots, optimal };
  }

  /** y = c_B B⁻¹ */
  private computeDuals(duals: Float64Array): void {
    const m = this.rows;
    duals.fill(0);
    for (let r = 0; r < m; r++) {
      const j = this.basis[r];
      if (j < 0) continue;
      const c = this.costs[j];
      if (c === 0) continue;
      const row = r * m;
      for (let i = 0; i < m; i++) duals[i] += c * this.inverse[row + i];
    }
  }

  private pivot(leaving: number, alpha: Float64Array, entering: number): void {
    const m = this.rows;
    const inv = this.inverse;
    const p = alpha[leaving];
    const pivotRow = leaving * m;
    for (let i = 0; i < m; i++) inv[pivotRow + i] /= p;
    this.values[leaving] /= p;
    for (let r = 0; r < m; r++) {
      if (r === leaving) continue;
      const f = alpha[r];
      if (f === 0) continue;
      const row = r * m;
      for (let i = 0; i < m; i++) inv[row + i] -= f * inv[pivotRow + i];
      this.values[r] -= f * this.values[leaving];
    }
    this.basis[leaving] = entering;
    if (++this.pivotsSinceRefactor >= REFACTOR_PIVOTS) this.refactor();
  }

  /** Recomputes B⁻¹ and the basic values from scratch (Gauss–Jordan), clearing accumulated rounding. */
  private refactor(): void {
    const m = this.rows;
    const a = new Float64Array(m * m);
    for (let r = 0; r < m; r++) {
      const j = this.basis[r];
      if (j < 0) a[(-1 - j) * m + r] = 1;
      else for (const row of this.columns[j]) a[row * m + r] = 1;
    }
    const inv = new Float64Array(m * m);
    for (let i = 0; i < m; i++) inv[i * m + i] = 1;
    for (let c = 0; c < m; c++) {
      let pivotRow = -1;
      let largest = 0;
      for (let r = c; r < m; r++) {
        const v = Math.abs(a[r * m + c]);
        if (v > largest) {
          largest = v;
          pivotRow = r;
        }
      }
      if (pivotRow < 0 || largest < 1e-12) return; // singular: keep the updated inverse
      if (pivotRow !== c) {
        for (let i = 0; i < m; i++) {
          [a[c * m + i], a[pivotRow * m + i]] = [a[pivotRow * m + i], a[c * m + i]];
          [inv[c * m + i], inv[pivotRow * m + i]] = [inv[pivotRow * m + i], inv[c * m + i]];
        }
      }
      const p = a[c * m + c];
      for (let i = 0; i < m; i++) {
        a[c * m + i] /= p;
        inv[c * m + i] /= p;
      }
      for (let r = 0; r < m; r++) {
        if (r === c) continue;
        const f = a[r * m + c];
        if (f === 0) continue;
        for (let i = 0; i < m; i++) {
          a[r * m + i] -= f * a[c * m + i];
          inv[r * m + i] -= f * inv[c * m + i];
        }
      }
    }
    this.inverse = inv;
    const values = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      let v = 0;
      for (let i = 0; i < m; i++) v += inv[r * m + i] * this.rhs[i];
      values[r] = v;
    }
    this.values = values;
    this.pivotsSinceRefactor = 0;
  }
}
