/**
 * Tracking end to end: a real server running the shipped Faster R-CNN on the demo video,
 * real WebSocket clients subscribed with events, real REST calls.
 */

import assert from "node:assert/strict";
import {
  api,
  DEMO_VIDEO,
  FASTERRCNN,
  type Message,
  startTestServer,
  TestClient,
} from "../_helpers/server.ts";
import { runFfmpeg } from "../_helpers/media.ts";
import { checkWire } from "../../src/wire/parse.ts";
import { ServerMessageSchema } from "../../src/wire/ws_server_messages.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };
const models = { boxes: { manifest: FASTERRCNN } };
/** The demo's first scene, 40 frames, read as fast as the model goes, in order. */
const FRAMES = 40;
const SOURCE = await Deno.makeTempFile({ dir: "/tmp", prefix: "tracking_e2e_", suffix: ".mp4" });
await runFfmpeg([
  "-i",
  DEMO_VIDEO,
  "-frames:v",
  String(FRAMES),
  "-c:v",
  "mpeg4",
  "-q:v",
  "2",
  SOURCE,
]);
globalThis.addEventListener("unload", () => Deno.removeSync(SOURCE));
const LINE = { name: "middle", points: [[320, 0], [320, 360]] };
const ZONE = { name: "left", points: [[0, 0], [320, 0], [320, 360], [0, 360]] };

/** A tracked stream of the demo's first frames on a fresh server. */
async function trackedServer(stream: Record<string, unknown> = {}) {
  return await startTestServer({
    models,
    streams: [{
      id: "cam",
      source: DEMO_VIDEO,
      policy: "lossless",
      tracking: true,
      lines: [LINE],
      zones: [ZONE],
      ...stream,
    }],
  });
}

/** IoU of two [x1, y1, x2, y2] boxes. */
function iou(a: number[], b: number[]): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

Deno.test(
  "a tracked stream's results carry track ids that stay with their objects, and events follow their frame's result",
  opts,
  async () => {
    const server = await trackedServer({ source: SOURCE });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: ["cam"], events: true });
      await client.waitFor((m) => m.type === "status" && m.state === "ended", 120_000);
      await client.close();
      for (const m of client.messages) {
        assert.deepEqual(checkWire(ServerMessageSchema, m), [], JSON.stringify(m).slice(0, 300));
      }
      const results = client.results("cam").filter((m) => m.frame < FRAMES);
      // Every tracked object keeps its id from frame to frame: where an id is on two
      // consecutive frames, its boxes overlap.
      let pairs = 0;
      for (let i = 1; i < results.length; i++) {
        const before = new Map<number, number[]>(
          results[i - 1].detections.filter((d: Message) => d.trackId).map((
            d: Message,
          ) => [d.trackId, d.box]),
        );
        for (const d of results[i].detections) {
          if (!d.trackId || !before.has(d.trackId)) continue;
          pairs++;
          assert.ok(iou(before.get(d.trackId)!, d.box) > 0.3, `track ${d.trackId} jumped`);
        }
      }
      assert.ok(pairs > 50, `only ${pairs} tracked pairs of frames`);
      // A track id is on at most one detection of a frame.
      for (const r of results) {
        const ids = r.detections.filter((d: Message) => d.trackId).map((d: Message) => d.trackId);
        assert.equal(new Set(ids).size, ids.length);
      }
      // Events come after their frame's result, frames never go back, and each started
      // track is one a result carries.
      let lastResult = -1;
      let lastEvent = -1;
      const seen = new Set<number>();
      for (const m of client.messages) {
        if (m.type === "result") {
          lastResult = m.frame;
          for (const d of m.detections) if (d.trackId) seen.add(d.trackId);
        } else if (["track", "line", "zone"].includes(m.type)) {
          assert.equal(
            m.frame,
            lastResult,
            `a ${m.type} event of frame ${m.frame} before its result`,
          );
          assert.ok(m.frame >= lastEvent);
          lastEvent = m.frame;
          if (m.type === "track" && m.event === "started") assert.ok(seen.has(m.trackId));
        }
      }
      const started = client.messages.filter((m) => m.type === "track" && m.event === "started");
      assert.ok(started.length > 0);
      assert.equal(new Set(started.map((m) => m.trackId)).size, started.length);
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "a subscriber that joins late gets the counts so far at once, equal to what an early one counted",
  opts,
  async () => {
    const server = await trackedServer({ source: SOURCE });
    try {
      const early = await TestClient.connect(server.wsUrl);
      early.send({ type: "subscribe", streams: ["cam"], events: true });
      await early.waitFor((m) => m.type === "status" && m.state === "ended", 120_000);
      const late = await TestClient.connect(server.wsUrl);
      late.send({ type: "subscribe", streams: ["cam"], events: true });
      const counts = await late.waitFor((m) => m.type === "counts");
      // Right after its subscription is confirmed.
      const at = late.messages.indexOf(counts);
      assert.equal(late.messages[at - 1].type, "subscribed");
      assert.deepEqual(checkWire(ServerMessageSchema, counts), []);
      // The early subscriber's events add up to the same counts.
      const crossings = early.messages.filter((m) => m.type === "line");
      const line = counts.lines.find((l: Message) => l.name === "middle");
      assert.equal(line.totalIn, crossings.filter((m) => m.direction === "in").length);
      assert.equal(line.totalOut, crossings.filter((m) => m.direction === "out").length);
      const entered = early.messages.filter((m) => m.type === "zone" && m.event === "entered");
      const zone = counts.zones.find((z: Message) => z.name === "left");
      const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
      assert.equal(sum(zone.entered), entered.length);
      const started = early.messages.filter((m) => m.type === "track" && m.event === "started");
      assert.equal(counts.tracks, started.length);
      assert.ok(started.length > 3, `only ${started.length} tracks`);
      // GET /streams/:id/analytics says the same.
      const rest = await api(server, "GET", "/streams/cam/analytics");
      assert.equal(rest.status, 200);
      assert.deepEqual(rest.json.counts.lines, counts.lines);
      assert.deepEqual(rest.json.lines[0].points, LINE.points);
      const info = (await api(server, "GET", "/streams/cam")).json;
      assert.equal(info.tracking.tracks, started.length);
      await early.close();
      await late.close();
    } finally {
      await server.close();
    }
  },
);

Deno.test(
  "zones replaced over REST take effect at once; bad ones get a 400 naming the field, and writes need the token",
  opts,
  async () => {
    const server = await trackedServer({
      source: SOURCE,
      loop: true,
      policy: "drop-oldest",
      zones: [],
      lines: [],
    });
    try {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: ["cam"], events: true });
      await client.waitFor((m) => m.type === "counts");
      const all = { name: "all", points: [[0, 0], [640, 0], [640, 360], [0, 360]], minFrames: 1 };
      const put = await api(server, "PUT", "/streams/cam/zones", [all]);
      assert.equal(put.status, 200, JSON.stringify(put.json));
      assert.deepEqual(put.json.zones.map((z: Message) => z.name), ["all"]);
      // Subscribers hear the new counts, then objects entering the new zone.
      await client.waitFor((m) => m.type === "counts" && m.zones.length === 1);
      const occupancy = await client.waitFor(
        (m) => m.type === "zone" && m.zone === "all" && m.event === "occupancy" && m.total > 0,
        60_000,
      );
      assert.ok(occupancy.total > 0);
      const bad = async (body: unknown, error: string) => {
        const res = await api(server, "PUT", "/streams/cam/zones", body);
        assert.equal(res.status, 400, JSON.stringify(res.json));
        assert.equal(res.json.error, error);
      };
      const where = "PUT /streams/cam/zones: body";
      await bad(
        [{ name: "z", points: [[0, 0], [10, 0]] }],
        `${where}: [0].points: expected at least 3 points, found an array of 2 items`,
      );
      await bad(
        [{ name: "z", points: [[0, 0], [10, 0], [0, 10], [10, 10]] }],
        await selfIntersectionMessage(where),
      );
      await bad(
        [{ name: "z", points: [[0, 0], [10, 0], [10, 10]], classes: ["unicorn"] }],
        `${where}: [0].classes[0]: expected a class of the model ("car", "person", "bicycle", "sign") or its id, found the string "unicorn"`,
      );
      await bad({ name: "z" }, `${where}: expected an array, found an object with key name`);
      const anonymous = await api(server, "PUT", "/streams/cam/zones", [all], { token: null });
      assert.equal(anonymous.status, 401);
      assert.equal((await api(server, "PUT", "/streams/nope/lines", [])).status, 404);
      // The zone in place is still the good one.
      const now = await api(server, "GET", "/streams/cam/analytics");
      assert.deepEqual(now.json.zones.map((z: Message) => z.name), ["all"]);
      await client.close();
    } finally {
      await server.close();
    }
  },
);

/** The message a self-intersecting square (a bow tie) gets, from the pure check. */
async function selfIntersectionMessage(where: string): Promise<string> {
  const { analyticsIssues } = await import("../../src/analytics/analytics_issues.ts");
  const [issue] = analyticsIssues([], [{
    name: "z",
    points: [[0, 0], [10, 0], [0, 10], [10, 10]],
    anchor: "bottom_center",
    minFrames: 2,
  }]);
  return `${where}: [0].points: expected ${issue.expected}, found ${issue.found}`;
}
