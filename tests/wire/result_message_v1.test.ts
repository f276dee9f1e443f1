/**
 * Result messages of versions 1 (a panoptic segment's class named `categoryId`) and 2 (no
 * track ids) and their upgrade to version 3 (`src/wire/result_message_v1.ts`).
 */

import assert from "node:assert/strict";
import { checkWire, parseWire } from "../../src/wire/parse.ts";
import { ResultMessageSchema } from "../../src/wire/result_message.ts";
import {
  AnyResultMessageSchema,
  upgradeResultMessageV1,
} from "../../src/wire/result_message_v1.ts";

const rle = { size: [2, 2] as [number, number], counts: "04" };
const latencyV1 = {
  decode: 1,
  wait: 0,
  batch: 0,
  preprocess: 1,
  inference: 9,
  postprocess: 2,
  fusion: 1,
  publish: 0,
  totalMs: 14,
};
const latency = { ...latencyV1, session: 0 };
const v3 = {
  v: 3 as const,
  type: "result" as const,
  streamId: "cam",
  model: "street",
  frame: 3,
  ptsMs: 100,
  width: 2,
  height: 2,
  detections: [{
    box: [0, 0, 1, 1] as [number, number, number, number],
    classId: 1,
    label: "car",
    score: 0.9,
  }],
  panoptic: { segments: [{ id: 1, classId: 7, label: "road", isThing: false, area: 4, rle }] },
  latency,
  capturedAt: 1,
  publishedAt: 15,
  batchSize: 1,
};
const v2 = { ...v3, v: 2 as const };
const v1 = {
  ...v3,
  v: 1 as const,
  latency: latencyV1,
  panoptic: { segments: [{ id: 1, categoryId: 7, label: "road", isThing: false, area: 4, rle }] },
};

Deno.test("a version 1 result message is read as the version 3 message it upgrades to, its session wait inside batch", () => {
  assert.deepEqual(parseWire(AnyResultMessageSchema, v1, "run.jsonl:1"), v3);
  assert.deepEqual(upgradeResultMessageV1(v1), v3);
  assert.deepEqual(checkWire(ResultMessageSchema, upgradeResultMessageV1(v1)), []);
  assert.deepEqual(parseWire(AnyResultMessageSchema, v3, "run.jsonl:1"), v3);
});

Deno.test("a version 2 result message is read as version 3 as it is, and may not carry track ids", () => {
  assert.deepEqual(parseWire(AnyResultMessageSchema, v2, "run.jsonl:1"), v3);
  const tracked = { ...v2, detections: [{ ...v2.detections[0], trackId: 4 }] };
  assert.throws(() => parseWire(AnyResultMessageSchema, tracked, "run.jsonl:2"), {
    message:
      'run.jsonl:2: detections[0].trackId: expected only the fields box, classId, label, score, mask, found an unknown field "trackId"',
  });
  assert.equal(
    parseWire(AnyResultMessageSchema, { ...tracked, v: 3 }, "run.jsonl:3").detections[0].trackId,
    4,
  );
  const { panoptic: _, ...plain } = v1;
  assert.deepEqual(parseWire(AnyResultMessageSchema, plain, "run.jsonl:1").panoptic, undefined);
});

Deno.test("each version names its own panoptic class field, and an unknown version is refused", () => {
  const mixed = { ...v1, panoptic: v3.panoptic };
  const byPath = (a: { path: unknown[] }, b: { path: unknown[] }) =>
    a.path.join(".").localeCompare(b.path.join("."));
  assert.deepEqual(checkWire(AnyResultMessageSchema, mixed).sort(byPath), [
    {
      path: ["panoptic", "segments", 0, "categoryId"],
      expected: "an integer",
      found: "nothing",
    },
    {
      path: ["panoptic", "segments", 0, "classId"],
      expected: "only the fields id, categoryId, label, isThing, score, area, rle",
      found: 'an unknown field "classId"',
    },
  ]);
  assert.throws(() => parseWire(AnyResultMessageSchema, { ...v3, v: 4 }, "run.jsonl:9"), {
    message: "run.jsonl:9: v: expected one of 1, 2, 3, found the number 4",
  });
});
