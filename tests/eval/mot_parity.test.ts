import assert from "node:assert/strict";
import {
  evaluateTracking,
  HOTA_ALPHAS,
  type TrackingFrame,
} from "../../src/eval/evaluate_tracking.ts";
import { buildMotSequence } from "../../src/eval/mot_data.ts";
import { hotaSequence } from "../../src/eval/mot_hota.ts";
import { identitySequence } from "../../src/eval/mot_identity.ts";

// tests/fixtures/make_mot_fixtures.py runs TrackEval's own HOTA, CLEAR and Identity
// eval_sequence on data dicts built as MotChallenge2DBox builds them, for 16 corner cases
// (no tracker output, no ground truth, both empty, one frame, identical inputs, ids far
// apart, fragmentation, id switches, zero-area and inverted boxes, IoU exactly at the
// thresholds, exact ties, one-sided frames, trailing empty frames) and 43 seeded random
// sequences up to 50 frames × 20 objects (noise, misses, false positives, id switches and
// swaps, fragments, duplicate boxes, integer and fractional coordinates).

type Side = [frame: number, ids: number[], boxes: number[]][];

interface Expected {
  hota: number;
  deta: number;
  assa: number;
  loca: number;
  detre: number;
  detpr: number;
  assre: number;
  asspr: number;
  hotaAlpha: number[];
  detaAlpha: number[];
  assaAlpha: number[];
  locaAlpha: number[];
  hotaTp: number[];
  mota: number;
  motp: number;
  idsw: number;
  frag: number;
  mt: number;
  pt: number;
  ml: number;
  clrTp: number;
  clrFn: number;
  clrFp: number;
  idf1: number;
  idr: number;
  idp: number;
  idtp: number;
  idfn: number;
  idfp: number;
}

interface Fixture {
  alphas: number[];
  cases: { name: string; frames: number; groundTruth: Side; results: Side; expected: Expected }[];
}

const fixture: Fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/mot/tracking_cases.json", import.meta.url)),
);

const frames = (side: Side): TrackingFrame[] =>
  side.map(([frame, ids, boxes]) => ({
    frame,
    ids: Int32Array.from(ids),
    boxes: Float32Array.from(boxes),
  }));

const TOLERANCE = 1e-9;

function close(actual: number, expected: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= TOLERANCE,
    `${what}: expected ${expected}, found ${actual} (difference ${actual - expected})`,
  );
}

function closeArray(actual: ArrayLike<number>, expected: number[], what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], `${what}[${i}]`);
}

Deno.test("HOTA_ALPHAS are TrackEval's 19 α values bit for bit", () => {
  assert.deepEqual([...HOTA_ALPHAS], fixture.alphas);
});

Deno.test("the fixture covers the corner cases and 40+ random sequences", () => {
  assert.ok(fixture.cases.length >= 55);
  assert.ok(fixture.cases.some((c) => c.results.length === 0 && c.groundTruth.length > 0));
  assert.ok(fixture.cases.some((c) => c.groundTruth.length === 0 && c.results.length > 0));
  assert.ok(fixture.cases.some((c) => c.expected.hota === 1 && c.expected.mota === 1));
});

for (const c of fixture.cases) {
  Deno.test(`evaluateTracking() matches TrackEval: ${c.name}`, () => {
    const gt = frames(c.groundTruth), tr = frames(c.results);
    const got = evaluateTracking(gt, tr, { frames: c.frames });
    const e = c.expected;
    for (
      const key of ["hota", "deta", "assa", "loca", "detre", "detpr", "assre", "asspr"] as const
    ) {
      close(got[key], e[key], key);
    }
    closeArray(got.hotaAlpha, e.hotaAlpha, "hotaAlpha");
    for (const key of ["mota", "motp", "idf1", "idr", "idp"] as const) close(got[key], e[key], key);
    const counts = ["idsw", "frag", "mt", "pt", "ml", "clrTp", "clrFn", "clrFp"] as const;
    assert.deepEqual(
      Object.fromEntries(counts.map((k) => [k, got[k]])),
      Object.fromEntries(counts.map((k) => [k, e[k]])),
    );
    // the per-α fields and identity counts behind them
    const data = buildMotSequence(gt, tr, { frames: c.frames });
    const hota = hotaSequence(data);
    closeArray(hota.detA, e.detaAlpha, "detA");
    closeArray(hota.assA, e.assaAlpha, "assA");
    closeArray(hota.locA, e.locaAlpha, "locA");
    assert.deepEqual([...hota.tp], e.hotaTp);
    const id = identitySequence(data);
    assert.deepEqual([id.idtp, id.idfn, id.idfp], [e.idtp, e.idfn, e.idfp]);
  });
}
