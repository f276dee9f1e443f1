/**
 * Seeded randomized properties of lines and zones: many generated paths, each checked
 * against what must hold whatever the numbers.
 */

import assert from "node:assert/strict";
import type { AnalyticsEvent } from "../../src/analytics/analytics_types.ts";
import { anchorPoint } from "../../src/analytics/anchor.ts";
import { LineCounter } from "../../src/analytics/line_counter.ts";
import { ZoneCounter } from "../../src/analytics/zone_counter.ts";
import { Polygon } from "../../src/analytics/polygon.ts";
import { StreamAnalytics } from "../../src/analytics/stream_analytics.ts";
import { random } from "../_helpers/random.ts";
import { frame } from "./_frames.ts";

interface Scene {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  /** Unit normal of A → B. */
  nx: number;
  ny: number;
}

function randomLine(rand: () => number): Scene {
  for (;;) {
    const ax = 100 + rand() * 800, ay = 100 + rand() * 800;
    const bx = 100 + rand() * 800, by = 100 + rand() * 800;
    const length = Math.hypot(bx - ax, by - ay);
    if (length < 150) continue;
    return { ax, ay, bx, by, nx: -(by - ay) / length, ny: (bx - ax) / length };
  }
}

/** supervision's rule, written independently: `in` is where (B − A) × (P − A) < 0. */
function isInSide(s: Scene, x: number, y: number): boolean {
  return (s.bx - s.ax) * (y - s.ay) - (s.by - s.ay) * (x - s.ax) < 0;
}

/** The anchor the analytics sees for a track at `(x, y)` (boxes are float32). */
function seen(x: number, y: number): [number, number] {
  return anchorPoint(frame(0, [{ id: 1, x, y }]).boxes, 0, "bottom_center");
}

Deno.test("a track moving straight across a line far from its ends crosses exactly once per pass", () => {
  const rand = random(2024);
  let passes = 0;
  for (let scene = 0; scene < 300; scene++) {
    const s = randomLine(rand);
    const minFrames = 1 + Math.floor(rand() * 4);
    const analytics = new StreamAnalytics({
      lines: [{ name: "l", points: [[s.ax, s.ay], [s.bx, s.by]], minFrames }],
    });
    // The crossing point, away from the ends, and a direction within 60° of the normal.
    const u = 0.2 + rand() * 0.6;
    const mx = s.ax + u * (s.bx - s.ax), my = s.ay + u * (s.by - s.ay);
    const turn = (rand() - 0.5) * (2 * Math.PI / 3);
    const dx = s.nx * Math.cos(turn) - s.ny * Math.sin(turn);
    const dy = s.nx * Math.sin(turn) + s.ny * Math.cos(turn);
    const far = [5 + rand() * 60, -(5 + rand() * 60)]; // on each side of M along (dx, dy)
    const at = (t: number): [number, number] => [mx + t * dx, my + t * dy];
    const path: [number, number][] = [];
    const stay = (t: number, frames: number) => {
      for (let i = 0; i < frames; i++) path.push(at(t + (rand() - 0.5) * 2));
    };
    const count = 1 + Math.floor(rand() * 6);
    let side = 0;
    stay(far[side], 1 + Math.floor(rand() * 3));
    const expected: string[] = [];
    for (let pass = 0; pass < count; pass++) {
      const from = far[side], to = far[1 - side];
      const steps = 1 + Math.floor(rand() * 5);
      for (let k = 1; k <= steps; k++) path.push(at(from + (to - from) * (k / steps)));
      if (minFrames > 1 && rand() < 0.5) {
        // A hesitation: back across for fewer than minFrames frames, then on again.
        stay(from, 1 + Math.floor(rand() * (minFrames - 1)));
        path.push(at(to));
      }
      stay(to, minFrames + Math.floor(rand() * 3));
      const [x, y] = seen(...at(to));
      expected.push(isInSide(s, x, y) ? "in" : "out");
      side = 1 - side;
    }
    const events = path.flatMap(([x, y], i) =>
      analytics.update(frame(33 * i, [{ id: 7, x, y, classId: 3 }]))
    );
    const got = events.map((e) => e.type === "line" ? e.direction : "?");
    assert.deepEqual(got, expected, `scene ${scene}: minFrames ${minFrames}`);
    assert.deepEqual(got.filter((d, i) => i > 0 && d === got[i - 1]), []); // they alternate
    passes += count;
  }
  assert.ok(passes > 900);
});

Deno.test("a track crossing only the line's extension is never counted", () => {
  const rand = random(77);
  for (let scene = 0; scene < 300; scene++) {
    const s = randomLine(rand);
    const analytics = new StreamAnalytics({
      lines: [{ name: "l", points: [[s.ax, s.ay], [s.bx, s.by]], minFrames: 1 }],
    });
    const u = rand() < 0.5 ? -1 - rand() * 2 : 2 + rand() * 2;
    const mx = s.ax + u * (s.bx - s.ax), my = s.ay + u * (s.by - s.ay);
    const path = Array.from({ length: 20 }, (_, i) => {
      const t = (i % 2 === 0 ? 1 : -1) * (5 + rand() * 40);
      return [mx + t * s.nx, my + t * s.ny];
    });
    const events = path.flatMap(([x, y], i) => analytics.update(frame(40 * i, [{ id: 1, x, y }])));
    assert.deepEqual(events, [], `scene ${scene}`);
  }
});

/**
 * What a zone must report for one track, from its whole history at once: each run of
 * `minFrames` observations against the state flips it; an end while inside exits.
 */
function referenceZone(
  inside: boolean[],
  pts: number[],
  classes: number[],
  minFrames: number,
  endPts: number,
): string[] {
  const out: string[] = [];
  let state = false, enteredAt = 0, classId = 0;
  /** The first observation of the run against the state that ends at `k`. */
  const runStart = (k: number) => {
    let start = k;
    while (start > 0 && inside[start - 1] !== state) start--;
    return start;
  };
  for (let k = 0; k < inside.length; k++) {
    const start = runStart(k);
    if (inside[k] === state || k - start + 1 < minFrames) continue;
    state = inside[k];
    if (state) {
      enteredAt = pts[start], classId = classes[k];
      out.push(`entered c${classId} @${pts[k]}`);
    } else out.push(`exited c${classId} @${pts[k]} dwell ${pts[start] - enteredAt}`);
  }
  const last = inside.length - 1;
  if (state) {
    const exitAt = inside[last] !== state ? pts[runStart(last)] : pts[last];
    out.push(`exited c${classId} @${endPts} dwell ${exitAt - enteredAt}`);
  }
  return out;
}

Deno.test("zones agree with a history-based reference on random walks of many tracks", () => {
  const rand = random(99);
  const square = (x: number, y: number, r: number): [number, number][] => [
    [x - r, y - r],
    [x + r, y - r + r / 2],
    [x + r, y + r],
    [x, y + r / 3],
    [x - r, y + r],
  ];
  for (let scene = 0; scene < 40; scene++) {
    const points = square(200, 200, 60 + rand() * 60);
    const minFrames = 1 + Math.floor(rand() * 4);
    const analytics = new StreamAnalytics({ zones: [{ name: "z", points, minFrames }] });
    const polygon = new Polygon(points);
    const tracks = 12;
    const history = Array.from({ length: tracks }, () => ({
      x: 100 + rand() * 200,
      y: 100 + rand() * 200,
      inside: [] as boolean[],
      pts: [] as number[],
      classes: [] as number[],
    }));
    const got: string[][] = history.map(() => []);
    const all: AnalyticsEvent[] = [];
    let pts = 0;
    for (let f = 0; f < 150; f++) {
      pts += 20 + Math.floor(rand() * 30);
      const present = history.flatMap((h, id) => {
        if (rand() < 0.1) return []; // missed this frame
        h.x += (rand() - 0.5) * 40, h.y += (rand() - 0.5) * 40;
        h.x = Math.min(350, Math.max(50, h.x)), h.y = Math.min(350, Math.max(50, h.y));
        const classId = rand() < 0.9 ? id % 3 : 5;
        const [ax, ay] = seen(h.x, h.y);
        h.inside.push(polygon.contains(ax, ay)), h.pts.push(pts), h.classes.push(classId);
        return [{ id: id + 1, x: h.x, y: h.y, classId }];
      });
      const events = analytics.update(frame(pts, present));
      all.push(...events);
      for (const e of events) {
        if (e.type !== "zone" || e.event === "occupancy") continue;
        got[e.trackId - 1].push(
          e.event === "entered"
            ? `entered c${e.classId} @${e.pts}`
            : `exited c${e.classId} @${e.pts} dwell ${e.dwellMs}`,
        );
      }
      // Occupancy is the number of tracks entered and not exited, per class.
      const open = new Map<number, number>();
      for (const e of all) {
        if (e.type !== "zone" || e.event === "occupancy") continue;
        open.set(e.classId, (open.get(e.classId) ?? 0) + (e.event === "entered" ? 1 : -1));
      }
      const expected = Object.fromEntries([...open].filter(([, n]) => n > 0));
      assert.deepEqual(analytics.snapshot().zones[0].occupancy, expected);
    }
    // Every track ends at once.
    pts += 40;
    const ended = history.map((_, i) => i + 1);
    for (const e of analytics.update(frame(pts, [], ended))) {
      if (e.type === "zone" && e.event === "exited") {
        got[e.trackId - 1].push(`exited c${e.classId} @${e.pts} dwell ${e.dwellMs}`);
      }
    }
    assert.deepEqual(analytics.snapshot().zones[0].total, 0);
    history.forEach((h, i) => {
      const want = referenceZone(h.inside, h.pts, h.classes, minFrames, pts);
      assert.deepEqual(got[i], want, `scene ${scene}, track ${i + 1}, minFrames ${minFrames}`);
    });
  }
});

Deno.test("memory stays bounded: long-unseen tracks are forgotten, a zone keeps only tracks inside", () => {
  const line = new LineCounter({ name: "l", points: [[0, 100], [640, 100]] });
  const zone = new ZoneCounter({ name: "z", points: [[0, 0], [100, 0], [100, 100], [0, 100]] });
  const events: AnalyticsEvent[] = [];
  const rand = random(5);
  let lineMax = 0, zoneMax = 0;
  // 20,000 frames 40 ms apart; every 5 frames 5 new tracks, each seen in those 5 frames
  // and never reported ended.
  for (let f = 0; f < 20_000; f++) {
    const pts = f * 40;
    line.sweep(pts, 10_000), zone.sweep(pts, 10_000, events);
    for (let k = 0; k < 5; k++) {
      const id = Math.floor(f / 5) * 5 + k;
      const x = rand() * 640, y = rand() * 200;
      line.observe(id, x, y, 0, pts, events), zone.observe(id, x, y, 0, pts, events);
    }
    lineMax = Math.max(lineMax, line.size), zoneMax = Math.max(zoneMax, zone.size);
  }
  // 10 s of pts holds 50 groups of 5 tracks (and the group being seen).
  assert.ok(lineMax <= 255, `line ${lineMax}`);
  // The zone is 8% of the area: it remembers the few tracks last seen inside.
  assert.ok(zoneMax < 60, `zone ${zoneMax}`);
  assert.ok(zone.counts().total <= zone.size);
});
