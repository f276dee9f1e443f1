import assert from "node:assert/strict";
import { kalmanInitiate, kalmanPredict, kalmanUpdate } from "../../src/tracking/kalman_filter.ts";
import { loadFixture } from "../_helpers/fixtures.ts";

interface KalmanCase {
  measurement: number[];
  steps: {
    zeroVh: boolean;
    predicted: number[];
    predictedCov: number[];
    measurement?: number[];
    updated?: number[];
    updatedCov?: number[];
  }[];
}

const { cases } = await loadFixture<{ cases: KalmanCase[] }>("tracking/kalman.json");

function assertNear(actual: Float64Array, expected: number[], what: string) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-9 * Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("the Kalman filter follows ByteTrack's initiate, multi_predict and update", () => {
  for (const [c, kase] of cases.entries()) {
    const mean = new Float64Array(8), cov = new Float64Array(64);
    const [x, y, a, h] = kase.measurement;
    kalmanInitiate(mean, cov, x, y, a, h);
    for (const [s, step] of kase.steps.entries()) {
      if (step.zeroVh) mean[7] = 0;
      kalmanPredict(mean, cov);
      // Predicting is exact: additions of the state's own entries.
      assert.deepEqual([...mean], step.predicted, `case ${c} step ${s} predicted mean`);
      assert.deepEqual([...cov], step.predictedCov, `case ${c} step ${s} predicted covariance`);
      if (!step.measurement) continue;
      const [mx, my, ma, mh] = step.measurement;
      kalmanUpdate(mean, cov, mx, my, ma, mh);
      assertNear(mean, step.updated!, `case ${c} step ${s} mean`);
      assertNear(cov, step.updatedCov!, `case ${c} step ${s} covariance`);
      // Carry on from the reference's own state, so errors do not accumulate.
      mean.set(step.updated!);
      cov.set(step.updatedCov!);
    }
  }
});
