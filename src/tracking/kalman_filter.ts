/**
 * ByteTrack's Kalman filter (`yolox/tracker/kalman_filter.py`, from deep_sort) for one box:
 * the 8-dimensional state `x, y, a, h, vx, vy, va, vh` (centre, aspect ratio `w / h`,
 * height and their velocities), a constant-velocity motion model with dt = 1, and noise
 * proportional to the height (`std_weight_position` 1/20, `std_weight_velocity` 1/160).
 *
 * The mean is a `Float64Array(8)`, the covariance a row-major `Float64Array(64)`; every
 * function updates them in place. The matrix products with the motion and observation
 * matrices (ones and zeros) are written out, which gives numpy's results bit for bit; the
 * 4×4 Cholesky solve of the update is computed directly, so it agrees with LAPACK's to a few
 * units in the last place.
 *
 * @module
 */

const STD_POSITION = 1 / 20;
const STD_VELOCITY = 1 / 160;

/**
 * `KalmanFilter.initiate`: a new track's state from its first measurement `(x, y, a, h)`
 * (velocities 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const mean = new Float64Array(8), cov = new Float64Array(64);
 * kalmanInitiate(mean, cov, 50, 60, 0.5, 40);
 * assert.deepEqual([...mean], [50, 60, 0.5, 40, 0, 0, 0, 0]);
 * assert.equal(cov[0], (2 * 40 / 20) ** 2);
 * ```
 */
export function kalmanInitiate(
  mean: Float64Array,
  covariance: Float64Array,
  x: number,
  y: number,
  a: number,
  h: number,
): void {
  mean[0] = x;
  mean[1] = y;
  mean[2] = a;
  mean[3] = h;
  mean.fill(0, 4, 8);
  const p = 2 * STD_POSITION * h, v = 10 * STD_VELOCITY * h;
  const std = [p, p, 1e-2, p, v, v, 1e-5, v];
  covariance.fill(0);
  for (let i = 0; i < 8; i++) covariance[i * 9] = std[i] * std[i];
}

/**
 * `KalmanFilter.multi_predict` for one track: `mean = F·mean`,
 * `covariance = F·P·Fᵀ + Q` with Q from the height before the step. (ByteTrack zeroes
 * `mean[7]`, the height velocity, of tracks that are not tracked before it calls this.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const mean = new Float64Array([10, 20, 0.5, 40, 1, 2, 0, 0]), cov = new Float64Array(64);
 * kalmanPredict(mean, cov);
 * assert.deepEqual([...mean.subarray(0, 4)], [11, 22, 0.5, 40]);
 * ```
 */
export function kalmanPredict(mean: Float64Array, covariance: Float64Array): void {
  const h = mean[3];
  const p = STD_POSITION * h, v = STD_VELOCITY * h;
  const q0 = p * p, q2 = 1e-2 * 1e-2, v0 = v * v, v2 = 1e-5 * 1e-5;
  // A = F·P: rows 0..3 gain the velocity row below them.
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 8; j++) covariance[i * 8 + j] += covariance[(i + 4) * 8 + j];
  }
  // B = A·Fᵀ: columns 0..3 gain the velocity column beside them.
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 4; j++) covariance[i * 8 + j] += covariance[i * 8 + j + 4];
  }
  covariance[0] += q0;
  covariance[9] += q0;
  covariance[18] += q2;
  covariance[27] += q0;
  covariance[36] += v0;
  covariance[45] += v0;
  covariance[54] += v2;
  covariance[63] += v0;
  for (let i = 0; i < 4; i++) mean[i] += mean[i + 4];
}

// Scratch of kalmanUpdate (synchronous, so one set is enough).
const S = new Float64Array(16);
const X = new Float64Array(32); // 4×8: S⁻¹·(P·Hᵀ)ᵀ = Kᵀ
const M = new Float64Array(32); // 4×8: S·Kᵀ

/**
 * `KalmanFilter.update`: corrects the state with a measurement `(x, y, a, h)`:
 * `S = H·P·Hᵀ + R`, `K = P·Hᵀ·S⁻¹` (Cholesky), `mean += K·(z − H·mean)`,
 * `P −= K·(S·Kᵀ)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const mean = new Float64Array(8), cov = new Float64Array(64);
 * kalmanInitiate(mean, cov, 50, 60, 0.5, 40);
 * kalmanUpdate(mean, cov, 52, 60, 0.5, 40);
 * assert.ok(mean[0] > 50 && mean[0] < 52);
 * ```
 */
export function kalmanUpdate(
  mean: Float64Array,
  covariance: Float64Array,
  x: number,
  y: number,
  a: number,
  h: number,
): void {
  const P = covariance;
  const r = STD_POSITION * mean[3];
  const rr = r * r;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) S[i * 4 + j] = P[i * 8 + j];
  S[0] += rr;
  S[5] += rr;
  S[10] += 1e-1 * 1e-1;
  S[15] += rr;
  // cho_factor(S, lower=True), from the lower triangle: S = L·Lᵀ.
  const l00 = Math.sqrt(S[0]);
  const l10 = S[4] / l00, l20 = S[8] / l00, l30 = S[12] / l00;
  const l11 = Math.sqrt(S[5] - l10 * l10);
  const l21 = (S[9] - l20 * l10) / l11, l31 = (S[13] - l30 * l10) / l11;
  const l22 = Math.sqrt(S[10] - l20 * l20 - l21 * l21);
  const l32 = (S[14] - l30 * l20 - l31 * l21) / l22;
  const l33 = Math.sqrt(S[15] - l30 * l30 - l31 * l31 - l32 * l32);
  // cho_solve: L·Lᵀ·X = B with B[k][c] = (P·Hᵀ)[c][k] = P[c][k].
  for (let c = 0; c < 8; c++) {
    const z0 = P[c * 8] / l00;
    const z1 = (P[c * 8 + 1] - l10 * z0) / l11;
    const z2 = (P[c * 8 + 2] - l20 * z0 - l21 * z1) / l22;
    const z3 = (P[c * 8 + 3] - l30 * z0 - l31 * z1 - l32 * z2) / l33;
    const x3 = z3 / l33;
    const x2 = (z2 - l32 * x3) / l22;
    const x1 = (z1 - l21 * x2 - l31 * x3) / l11;
    X[c] = (z0 - l10 * x1 - l20 * x2 - l30 * x3) / l00;
    X[8 + c] = x1;
    X[16 + c] = x2;
    X[24 + c] = x3;
  }
  // K[c][k] = X[k][c].
  const i0 = x - mean[0], i1 = y - mean[1], i2 = a - mean[2], i3 = h - mean[3];
  for (let c = 0; c < 8; c++) {
    mean[c] += i0 * X[c] + i1 * X[8 + c] + i2 * X[16 + c] + i3 * X[24 + c];
  }
  // multi_dot((K, S, Kᵀ)) evaluates as K·(S·Kᵀ).
  for (let i = 0; i < 4; i++) {
    for (let c = 0; c < 8; c++) {
      M[i * 8 + c] = S[i * 4] * X[c] + S[i * 4 + 1] * X[8 + c] + S[i * 4 + 2] * X[16 + c] +
        S[i * 4 + 3] * X[24 + c];
    }
  }
  for (let row = 0; row < 8; row++) {
    const k0 = X[row], k1 = X[8 + row], k2 = X[16 + row], k3 = X[24 + row];
    for (let c = 0; c < 8; c++) {
      P[row * 8 + c] -= k0 * M[c] + k1 * M[8 + c] + k2 * M[16 + c] + k3 * M[24 + c];
    }
  }
}
