/**
 * A revised primal simplex for packing LPs — maximise c·x subject to A x ≤ b, x ≥ 0, with 0/1 columns
 * given as lists of rows and b ≥ 0 — that keeps its basis when columns are added, and reports duals.
 *
 * Why not javascript-lp-solver: column generation (./column-generation.ts) re-solves the master after
 * every pricing round and needs the row duals; javascript-lp-solver rebuilds its tableau from scratch
 * on every call and does not expose duals. The masters here have a few hundred rows, so an explicit
 * dense basis inverse (updated by one elimination per pivot, rebuilt every REFACTOR_EVERY pivots to
 * shed rounding) is simple and fast enough; Devex pricing keeps the pivots down.
 *
 * Packing LPs are highly degenerate (many rows at 0 or 1 at once), which can make the simplex cycle:
 * the right-hand side is perturbed by tiny distinct amounts, the textbook remedy. The perturbation is
 * far below any value the callers read (they round at 1e-6).
 */

const PIVOT_TOLERANCE = 1e-9;
const REDUCED_COST_TOLERANCE = 1e-9;
const REFACTOR_EVERY = 500;
const PERTURBATION = 1e-7;
/** Devex weights above this reset the reference framework */
const DEVEX_RESET = 1e6;

export interface PackingColumn {
  /** rows with coefficient 1, ascending, no repeats */
  rows: number[];
  cost: number;
}

export interface PackingSolution {
  objective: number;
  /** value per column, in the order added */
  x: Float64Array;
  /** dual price per row (≥ 0 at optimality) */
  duals: Float64Array;
  pivots: number;
}

export class PackingSimplex {
  private readonly m: number;
  private readonly b: Float64Array;
  /** the columns' rows back to back, and their costs (pricing reads them every pivot: flat arrays are much faster) */
  private rowsFlat = new Int32Array(1024);
  private rowsStart: number[] = [0];
  private costs = new Float64Array(64);
  /** Devex reference weights of the columns and of the slacks (see solve) */
  private weights = new Float64Array(64).fill(1);
  private readonly slackWeights: Float64Array;
  /** basic variable per row position: column index, or −1 − row for that row's slack */
  private readonly head: Int32Array;
  private readonly inverse: Float64Array;
  private readonly xB: Float64Array;
  private pivotsSinceRefactor = 0;
  private readonly nonZero: Int32Array;

  private readonly refactorEvery: number;

  /** `refactorEvery`: pivots between rebuilds of B⁻¹ (tests set it low to exercise the rebuild). */
  constructor(rhs: ArrayLike<number>, options: { refactorEvery?: number } = {}) {
    this.m = rhs.length;
    this.refactorEvery = options.refactorEvery ?? REFACTOR_EVERY;
    this.b = Float64Array.from(rhs, (v, i) => v + PERTURBATION * (1 + ((i * 7919) % 997) / 997));
    if (this.b.some((v) => !(v >= 0))) throw new RangeError('packing LP needs a right-hand side ≥ 0');
    this.head = Int32Array.from({ length: this.m }, (_, i) => -1 - i);
    this.inverse = new Float64Array(this.m * this.m);
    for (let i = 0; i < this.m; i++) this.inverse[i * this.m + i] = 1;
    this.xB = Float64Array.from(this.b);
    this.nonZero = new Int32Array(this.m);
    this.slackWeights = new Float64Array(this.m).fill(1);
  }

  get columnCount(): number {
    return this.rowsStart.length - 1;
  }

  /** Adds a column (non-basic, so the current basis stays feasible); returns its index. */
  addColumn(column: PackingColumn): number {
    for (const r of column.rows) if (!(r >= 0 && r < this.m)) throw new RangeError(`packing column row ${r} outside 0…${this.m - 1}`);
    const n = this.columnCount + 1;
    const start = this.rowsStart[n - 1];
    if (start + column.rows.length > this.rowsFlat.length) {
      const grown = new Int32Array(Math.max(2 * this.rowsFlat.length, start + column.rows.length));
      grown.set(this.rowsFlat);
      this.rowsFlat = grown;
    }
    this.rowsFlat.set(column.rows, start);
    this.rowsStart.push(start + column.rows.length);
    if (n > this.costs.length) {
      const grown = new Float64Array(2 * this.costs.length);
      grown.set(this.costs);
      this.costs = grown;
      const weights = new Float64Array(2 * this.weights.length).fill(1);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.costs[n - 1] = column.cost;
    this.weights[n - 1] = 1;
    return n - 1;
  }

  /** Optimises from the current basis; `maxPivots` bounds the work (the answer is then feasible, not optimal). */
  solve(maxPivots = 100_000): PackingSolution {
    const m = this.m;
    const y = new Float64Array(m);
    const d = new Float64Array(m);
    const isBasic = new Uint8Array(this.columnCount);
    const slackBasic = new Uint8Array(m);
    for (const h of this.head) if (h >= 0) isBasic[h] = 1;
    else slackBasic[-1 - h] = 1;
    let pivots = 0;
    // Reduced costs carry rounding in proportion to the costs.
    let largestCost = 1;
    for (let j = 0; j < this.columnCount; j++) largestCost = Math.max(largestCost, Math.abs(this.costs[j]));
    const tolerance = REDUCED_COST_TOLERANCE * largestCost;
    this.computeDuals(y);
    for (; pivots < maxPivots; pivots++) {
      // Devex pricing over structural columns and slacks: the largest reduced cost² / reference weight
      // (an estimate of the steepest edge). Packing masters are highly degenerate; against Dantzig's
      // largest reduced cost it took 17% fewer pivots on the 30-agent reference of bench:roster (88k vs
      // 107k) and a third fewer on a whole-roster band re-plan at 50 agents (development runs).
      let entering = -1;
      let bestReduced = 0;
      let bestScore = 0;
      let enteringIsColumn = false;
      const n = this.columnCount;
      const rowsFlat = this.rowsFlat;
      const costs = this.costs;
      const weights = this.weights;
      let from = 0;
      for (let j = 0; j < n; j++) {
        const to = this.rowsStart[j + 1];
        if (isBasic[j]) {
          from = to;
          continue;
        }
        let reduced = costs[j];
        for (let k = from; k < to; k++) reduced -= y[rowsFlat[k]];
        from = to;
        if (reduced > tolerance && (entering < 0 || reduced * reduced > bestScore * weights[j])) {
          bestScore = (reduced * reduced) / weights[j];
          bestReduced = reduced;
          entering = j;
          enteringIsColumn = true;
        }
      }
      for (let r = 0; r < m; r++) {
        const reduced = -y[r];
        if (reduced > tolerance && !slackBasic[r] && (entering < 0 || reduced * reduced > bestScore * this.slackWeights[r])) {
          bestScore = (reduced * reduced) / this.slackWeights[r];
          bestReduced = reduced;
          entering = r;
          enteringIsColumn = false;
        }
      }
      if (entering < 0) break;
      // d = B⁻¹ a_entering
      if (enteringIsColumn) {
        d.fill(0);
        for (let k = this.rowsStart[entering]; k < this.rowsStart[entering + 1]; k++) {
          const r = this.rowsFlat[k];
          for (let i = 0; i < m; i++) d[i] += this.inverse[i * m + r];
        }
      } else {
        for (let i = 0; i < m; i++) d[i] = this.inverse[i * m + entering];
      }
      // Ratio test; ties go to the larger pivot element (numerically safer).
      let leave = -1;
      let bestRatio = Infinity;
      for (let i = 0; i < m; i++) {
        if (d[i] <= PIVOT_TOLERANCE) continue;
        const ratio = this.xB[i] / d[i];
        if (ratio < bestRatio - 1e-12 || (ratio <= bestRatio + 1e-12 && leave >= 0 && d[i] > d[leave])) {
          bestRatio = ratio;
          leave = i;
        }
      }
      if (leave < 0) throw new RangeError('packing LP is unbounded (a column with a positive cost covers no row)');
      // Duals follow the pivot: y' = y + (reduced cost / pivot element) · (row `leave` of the old B⁻¹).
      const scale = bestReduced / d[leave];
      const pivotRow = leave * m;
      for (let j = 0; j < m; j++) {
        const v = this.inverse[pivotRow + j];
        if (v !== 0) y[j] += scale * v;
      }
      this.updateDevexWeights(leave, d[leave], enteringIsColumn ? weights[entering] : this.slackWeights[entering], isBasic, slackBasic);
      const leaving = this.head[leave];
      if (leaving >= 0) isBasic[leaving] = 0;
      else slackBasic[-1 - leaving] = 0;
      this.pivot(leave, d, Math.max(0, bestRatio));
      this.head[leave] = enteringIsColumn ? entering : -1 - entering;
      if (enteringIsColumn) isBasic[entering] = 1;
      else slackBasic[entering] = 1;
      if (++this.pivotsSinceRefactor >= this.refactorEvery) {
        this.refactor();
        this.computeDuals(y);
      }
    }
    this.computeDuals(y);
    const x = new Float64Array(this.columnCount);
    let objective = 0;
    for (let i = 0; i < m; i++) {
      const h = this.head[i];
      if (h < 0) continue;
      x[h] = Math.max(0, this.xB[i]);
      objective += this.costs[h] * x[h];
    }
    return { objective, x, duals: y, pivots };
  }

  /**
   * Devex (Forrest & Goldfarb): with α = row `leave` of B⁻¹ times each non-basic column, a weight grows
   * to (α_j / α_entering)² × the entering weight when that is larger; the leaving variable starts at
   * its entering weight / α_entering². Reads the row of B⁻¹ before the pivot updates it.
   */
  private updateDevexWeights(leave: number, pivotElement: number, enteringWeight: number, isBasic: Uint8Array, slackBasic: Uint8Array): void {
    const m = this.m;
    const row = this.inverse.subarray(leave * m, (leave + 1) * m);
    const scale = enteringWeight / (pivotElement * pivotElement);
    let largest = 0;
    let from = 0;
    for (let j = 0; j < this.columnCount; j++) {
      const to = this.rowsStart[j + 1];
      if (isBasic[j]) {
        from = to;
        continue;
      }
      let alpha = 0;
      for (let k = from; k < to; k++) alpha += row[this.rowsFlat[k]];
      from = to;
      if (alpha !== 0) {
        const w = alpha * alpha * scale;
        if (w > this.weights[j]) this.weights[j] = w;
        if (w > largest) largest = w;
      }
    }
    for (let r = 0; r < m; r++) {
      const alpha = row[r];
      if (alpha === 0 || slackBasic[r]) continue;
      const w = alpha * alpha * scale;
      if (w > this.slackWeights[r]) this.slackWeights[r] = w;
      if (w > largest) largest = w;
    }
    const leaving = this.head[leave];
    const leavingWeight = Math.max(scale, 1);
    if (leaving >= 0) this.weights[leaving] = leavingWeight;
    else this.slackWeights[-1 - leaving] = leavingWeight;
    // Weights only grow: past a limit the reference framework is reset (all 1), as Devex prescribes,
    // before they overflow and hide a column with a positive reduced cost.
    if (!(largest <= DEVEX_RESET) || !(leavingWeight <= DEVEX_RESET)) {
      this.weights.fill(1);
      this.slackWeights.fill(1);
    }
  }

  private cost(position: number): number {
    const h = this.head[position];
    return h >= 0 ? this.costs[h] : 0;
  }

  /** y = c_B B⁻¹ */
  private computeDuals(y: Float64Array): void {
    const m = this.m;
    y.fill(0);
    for (let i = 0; i < m; i++) {
      const c = this.cost(i);
      if (c === 0) continue;
      const row = i * m;
      for (let j = 0; j < m; j++) y[j] += c * this.inverse[row + j];
    }
  }

  private pivot(leave: number, d: Float64Array, step: number): void {
    const m = this.m;
    for (let i = 0; i < m; i++) this.xB[i] -= step * d[i];
    this.xB[leave] = step;
    const pivotRow = leave * m;
    const p = d[leave];
    // B⁻¹ of a packing basis is sparse: touch only the pivot row's non-zeros.
    const nonZero = this.nonZero;
    let count = 0;
    for (let j = 0; j < m; j++) {
      const v = this.inverse[pivotRow + j];
      if (v === 0) continue;
      if (Math.abs(v) < 1e-13) {
        this.inverse[pivotRow + j] = 0;
        continue;
      }
      this.inverse[pivotRow + j] = v / p;
      nonZero[count++] = j;
    }
    for (let i = 0; i < m; i++) {
      if (i === leave || d[i] === 0) continue;
      const factor = d[i];
      const row = i * m;
      for (let k = 0; k < count; k++) {
        const j = nonZero[k];
        this.inverse[row + j] -= factor * this.inverse[pivotRow + j];
      }
    }
  }

  /** Rebuilds B⁻¹ and x_B from the basic columns (Gauss–Jordan with partial pivoting). */
  private refactor(): void {
    const m = this.m;
    this.pivotsSinceRefactor = 0;
    const basis = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      const h = this.head[i];
      if (h >= 0) for (let k = this.rowsStart[h]; k < this.rowsStart[h + 1]; k++) basis[this.rowsFlat[k] * m + i] = 1;
      else basis[(-1 - h) * m + i] = 1;
    }
    const inv = this.inverse;
    inv.fill(0);
    for (let i = 0; i < m; i++) inv[i * m + i] = 1;
    // Sparse-aware: the basis is 0/1 and sparse, so each elimination touches only the pivot row's
    // non-zeros (in B and in the growing inverse).
    const nzB = new Int32Array(m);
    const nzI = new Int32Array(m);
    for (let col = 0; col < m; col++) {
      let pivotRow = col;
      for (let r = col + 1; r < m; r++) if (Math.abs(basis[r * m + col]) > Math.abs(basis[pivotRow * m + col])) pivotRow = r;
      if (Math.abs(basis[pivotRow * m + col]) < 1e-12) throw new RangeError('packing LP basis became singular');
      if (pivotRow !== col) {
        for (let j = 0; j < m; j++) {
          const a = basis[col * m + j];
          basis[col * m + j] = basis[pivotRow * m + j];
          basis[pivotRow * m + j] = a;
          const v = inv[col * m + j];
          inv[col * m + j] = inv[pivotRow * m + j];
          inv[pivotRow * m + j] = v;
        }
      }
      const p = basis[col * m + col];
      let nb = 0;
      let ni = 0;
      for (let j = 0; j < m; j++) {
        if (basis[col * m + j] !== 0) {
          basis[col * m + j] /= p;
          nzB[nb++] = j;
        }
        if (inv[col * m + j] !== 0) {
          inv[col * m + j] /= p;
          nzI[ni++] = j;
        }
      }
      for (let r = 0; r < m; r++) {
        if (r === col) continue;
        const f = basis[r * m + col];
        if (f === 0) continue;
        for (let k = 0; k < nb; k++) basis[r * m + nzB[k]] -= f * basis[col * m + nzB[k]];
        for (let k = 0; k < ni; k++) inv[r * m + nzI[k]] -= f * inv[col * m + nzI[k]];
        basis[r * m + col] = 0;
      }
    }
    // x_B = B⁻¹ b
    for (let i = 0; i < m; i++) {
      let v = 0;
      for (let j = 0; j < m; j++) v += inv[i * m + j] * this.b[j];
      this.xB[i] = v;
    }
  }
}
