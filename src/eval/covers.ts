/**
 * Cover-song retrieval metrics from a distance matrix and clique labels.
 *
 * Conventions (decided here, stated because the reference codes differ):
 * - Every item is a query in turn; the query itself is excluded from its
 *   ranking. Candidates are sorted by ascending distance; ties keep index
 *   order (a stable sort), so results are deterministic.
 * - Relevant = same clique label. Items whose label is null are noise songs:
 *   they are candidates for every query but relevant to none.
 * - A query with no relevant item (a noise song, or a clique of one) cannot
 *   be scored: it is left out of every mean (MAP, MR1, P@10, MRR) alike, and
 *   the number of such queries is reported. acoss instead divides MRR by the
 *   number of songs, and Re-MOVE averages MAP over a different query set than
 *   MR1; we do neither.
 * - MAP: mean over queries of average precision; MR1: mean rank (1-based) of
 *   the first relevant item; P@10: mean share of relevant items among the 10
 *   nearest; MRR: mean reciprocal rank of the first relevant item.
 */
import { InvalidInputError } from "../errors.js";

export interface CoverScores {
  MAP: number;
  MR1: number;
  "P@10": number;
  MRR: number;
  Queries: number;
  "Queries without relevant items": number;
}

/** `distance(i, j)`: any function (a matrix lookup, or a lazy distance); labels: clique per item, null for noise. */
export function evaluateCovers(n: number, distance: (i: number, j: number) => number, labels: readonly (string | null)[], options: { readonly k?: number } = {}): CoverScores {
  if (labels.length !== n) throw new InvalidInputError(`covers: ${labels.length} labels for ${n} items; give one clique label per row of the distance matrix`);
  const k = options.k ?? 10;
  let sumAp = 0, sumR1 = 0, sumP = 0, sumRr = 0, scored = 0, unscorable = 0;
  const order = new Int32Array(n - 1);
  const d = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const label = labels[q];
    let nRel = 0;
    for (let j = 0; j < n; j++) if (j !== q && label !== null && labels[j] === label) nRel++;
    if (nRel === 0) { unscorable++; continue; }
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === q) continue;
      d[j] = distance(q, j);
      if (Number.isNaN(d[j])) throw new InvalidInputError(`covers: the distance between items ${q} and ${j} is NaN`);
      order[m++] = j;
    }
    order.sort((a, b) => d[a] - d[b] || a - b);
    let hits = 0, ap = 0, first = 0, topHits = 0;
    for (let r = 0; r < n - 1; r++) {
      if (labels[order[r]] === label) {
        hits++;
        ap += hits / (r + 1);
        if (first === 0) first = r + 1;
        if (r < k) topHits++;
        if (hits === nRel) break;
      }
    }
    sumAp += ap / nRel;
    sumR1 += first;
    sumRr += 1 / first;
    sumP += topHits / k;
    scored++;
  }
  if (scored === 0) return { MAP: NaN, MR1: NaN, "P@10": NaN, MRR: NaN, Queries: 0, "Queries without relevant items": unscorable };
  return { MAP: sumAp / scored, MR1: sumR1 / scored, "P@10": sumP / scored, MRR: sumRr / scored, Queries: scored, "Queries without relevant items": unscorable };
}

/** Convenience: scores from a full matrix (rows = queries). */
export function evaluateCoversMatrix(matrix: readonly ArrayLike<number>[], labels: readonly (string | null)[]): CoverScores {
  const n = matrix.length;
  matrix.forEach((row, i) => {
    if (row.length !== n) throw new InvalidInputError(`covers: the distance matrix must be square; row ${i + 1} has ${row.length} values, expected ${n}`);
  });
  return evaluateCovers(n, (i, j) => matrix[i][j], labels);
}
