/**
 * A stream's tracking, lines and zones in a configuration: defaults, and every bad input
 * named by file and field (geometry when the file is read; a class the model has not when
 * the stream starts, failing that stream alone).
 */

import assert from "node:assert/strict";
import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import { trackingOf } from "../../src/pipeline/stream_analytics_config.ts";
import { api, DEMO_VIDEO, FASTERRCNN, startTestServer } from "../_helpers/server.ts";

const origin = { name: "p.json", baseDir: "/srv" };
const models = { m: { manifest: "m.json" } };

function resolve(stream: Record<string, unknown>) {
  return resolvePipelineConfig(
    { models, streams: [{ id: "cam", source: "a.mp4", ...stream }] },
    origin,
  );
}

function refused(stream: Record<string, unknown>, message: string) {
  assert.throws(() => resolve(stream), { name: "ConfigError", message });
}

Deno.test("lines and zones turn tracking on with ByteTrack's defaults; a stream without them is not tracked", () => {
  const line = { name: "door", points: [[0, 100], [640, 100]] };
  const [tracked] = resolve({ lines: [line] }).streams;
  assert.deepEqual(tracked.lines, [{ ...line, anchor: "bottom_center", minFrames: 2 }]);
  assert.deepEqual(trackingOf(tracked), {
    trackThresh: 0.5,
    matchThresh: 0.8,
    trackBuffer: 30,
    mot20: false,
    classes: "per-class",
  });
  assert.equal(trackingOf(resolve({}).streams[0]), undefined);
  assert.equal(trackingOf(resolve({ tracking: { trackBuffer: 60 } }).streams[0])?.trackBuffer, 60);
});

Deno.test("bad geometry in a configuration is an error naming the file and the field", () => {
  refused(
    { lines: [{ name: "door", points: [[5, 5], [5, 5]] }] },
    "p.json: streams[0].lines[0].points: expected two different points (a line of non-zero length), found the same point [5, 5] twice",
  );
  refused(
    { zones: [{ name: "lot", points: [[0, 0], [10, 0]] }] },
    "p.json: streams[0].zones[0].points: expected at least 3 points, found an array of 2 items",
  );
  refused(
    { zones: [{ name: "lot", points: [[0, 0], [10, 0], [0, 10], [10, 10]] }] },
    "p.json: streams[0].zones[0].points: expected a simple polygon (edges meet only their neighbours, at their shared corner), found edge points[1]→points[2] crossing edge points[3]→points[0]",
  );
  refused(
    { lines: [{ name: "door", points: [[0, NaN], [10, 10]] }] },
    "p.json: streams[0].lines[0].points[0][1]: expected a finite number (pixels), found the number NaN",
  );
  refused(
    { lines: [{ name: "a", points: [[0, 0], [1, 1]] }, { name: "a", points: [[0, 1], [1, 0]] }] },
    'p.json: streams[0].lines[1].name: expected a name no other line has, found the string "a", which lines[0] has too',
  );
  refused(
    { tracking: false, zones: [{ name: "lot", points: [[0, 0], [10, 0], [10, 10]] }] },
    "p.json: streams[0].tracking: expected true, an object or nothing: lines and zones count tracked objects, found false",
  );
  refused(
    { tracking: { trackThresh: 2 } },
    "p.json: streams[0].tracking.trackThresh: expected a number in [0, 1], found the number 2",
  );
  refused(
    { lines: [{ name: "door", points: [[0, 0], [1, 1]], minFrames: 0 }] },
    "p.json: streams[0].lines[0].minFrames: expected an integer in [1, 1000], found the number 0",
  );
});

Deno.test("a configured line naming a class the model has not fails its stream alone, naming the field; the other stream runs", async () => {
  const server = await startTestServer({
    models: { boxes: { manifest: FASTERRCNN } },
    streams: [
      {
        id: "bad",
        source: DEMO_VIDEO,
        lines: [{ name: "d", points: [[0, 0], [9, 9]], classes: ["bus"] }],
      },
      { id: "good", source: "lavfi:testsrc2=size=160x120:rate=5", tracking: true },
    ],
  });
  try {
    const bad = (await api(server, "GET", "/streams/bad")).json;
    assert.equal(bad.state, "failed");
    assert.equal(
      bad.reason,
      'stream "bad": lines[0].classes[0]: expected a class of the model ("car", "person", "bicycle", "sign") or its id, found the string "bus"',
    );
    const good = (await api(server, "GET", "/streams/good")).json;
    assert.notEqual(good.state, "failed");
    assert.equal(good.tracking.params.trackBuffer, 30);
    // POST /streams gets a 400 for the same line.
    const post = await api(server, "POST", "/streams", {
      id: "posted",
      source: DEMO_VIDEO,
      zones: [{ name: "z", points: [[0, 0], [9, 0], [9, 9]], classes: [77] }],
    });
    assert.equal(post.status, 400);
    assert.match(
      post.json.error,
      /^POST \/streams: zones\[0\]\.classes\[0\]: expected a class of the model .* found the number 77$/,
    );
    assert.equal((await api(server, "GET", "/streams/posted")).status, 404);
  } finally {
    await server.close();
  }
});
