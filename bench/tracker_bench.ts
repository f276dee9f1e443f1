/**
 * `ByteTracker.update` per frame at 50 and 500 detections per frame, against the official
 * Python tracker (ifzhang/ByteTrack `BYTETracker.update`, with lap and cython_bbox) on the
 * same seeded sequences, run in the same benchmark (bench/fixtures/bytetrack_bench.py).
 *
 * The Python side needs a ByteTrack checkout: set `BYTETRACK_DIR` to it, with lap and
 * cython_bbox importable (installed, on `PYTHONPATH`, or in `LAP_DIR` / `CYTHON_BBOX_DIR`;
 * tests/fixtures/make_tracking_fixtures.py says how to build them) and `BYTETRACK_PYTHON`
 * naming the interpreter when it is not `python3` (e.g. Debian's `/usr/bin/python3`):
 *
 *     BYTETRACK_DIR=/work/ref/ByteTrack PYTHONPATH=/work/ref/lap:/work/ref/cython_bbox \
 *       BYTETRACK_PYTHON=/usr/bin/python3 deno task bench
 *
 * Without it, only the TypeScript figures are printed. Each also gives the time with lapjv
 * on every assignment (without the unique-answer shortcut, unique_assignment.ts).
 *
 * @module
 */

import { ByteTrackCore } from "../src/tracking/byte_track_core.ts";
import { ByteTracker } from "../src/tracking/byte_tracker.ts";
import { resolveTrackerOptions } from "../src/tracking/tracker_input.ts";
import type { ByteTrackerOptions } from "../src/tracking/tracker_types.ts";
import { gauss, random } from "../tests/_helpers/random.ts";
import { compare, report } from "./timing.ts";

const SCRIPT = new URL("./fixtures/bytetrack_bench.py", import.meta.url).pathname;
const PARAMS: Required<ByteTrackerOptions> = {
  trackThresh: 0.5,
  matchThresh: 0.8,
  trackBuffer: 30,
  frameRate: 30,
  mot20: false,
};

/** One frame of detections. */
interface DetFrame {
  boxes: Float32Array;
  scores: Float32Array;
}

/**
 * A seeded sequence of about `perFrame` detections per frame in a 1920×1080 frame: 85% from
 * objects moving at constant speed (box noise 3%, 8% missed, a fifth of the scores low as
 * under occlusion), the rest false positives with low or middling scores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frames = trackingSequence(50, 3, 1);
 * assert.equal(frames.length, 3);
 * assert.equal(frames[0].boxes.length, frames[0].scores.length * 4);
 * ```
 */
export function trackingSequence(perFrame: number, frames: number, seed: number): DetFrame[] {
  const rand = random(seed);
  const size = perFrame > 100 ? [14, 60] : [30, 160];
  const objects = Array.from({ length: Math.round(perFrame * 0.85 / 0.92) }, () => {
    const h = size[0] * Math.exp(rand() * Math.log(size[1] / size[0]));
    return {
      cx: rand() * 1920,
      cy: rand() * 1080,
      w: h * (0.4 + 0.6 * rand()),
      h,
      vx: 3 * gauss(rand),
      vy: 1.5 * gauss(rand),
      level: 0.55 + 0.4 * rand(),
    };
  });
  const out: DetFrame[] = [];
  for (let f = 0; f < frames; f++) {
    const boxes: number[] = [], scores: number[] = [];
    const push = (cx: number, cy: number, w: number, h: number, s: number) => {
      boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      scores.push(s);
    };
    for (const o of objects) {
      if (rand() < 0.08) continue;
      const w = o.w * Math.exp(0.03 * gauss(rand)), h = o.h * Math.exp(0.03 * gauss(rand));
      const s = rand() < 0.2 ? 0.1 + 0.4 * rand() : Math.min(0.99, o.level + 0.05 * gauss(rand));
      push(
        o.cx + o.vx * f + 0.03 * o.w * gauss(rand),
        o.cy + o.vy * f + 0.03 * o.h * gauss(rand),
        w,
        h,
        s,
      );
    }
    for (let k = Math.round(perFrame * 0.15); k > 0; k--) {
      const h = size[0] * Math.exp(rand() * Math.log(size[1] / size[0]));
      push(
        rand() * 1920,
        rand() * 1080,
        h * (0.4 + 0.8 * rand()),
        h,
        rand() < 0.2 ? 0.5 + 0.3 * rand() : 0.5 * rand(),
      );
    }
    out.push({ boxes: Float32Array.from(boxes), scores: Float32Array.from(scores) });
  }
  return out;
}

/** Runs a fresh tracker over the sequence; returns the sum of output ids (a cross-check). */
function runSequence(frames: DetFrame[]): { idSum: number; tracks: number } {
  const tracker = new ByteTracker(PARAMS);
  let idSum = 0, tracks = 0;
  for (const f of frames) {
    const out = tracker.update(f.boxes, f.scores);
    for (const id of out.trackIds) idSum += id;
    tracks += out.trackIds.length;
  }
  return { idSum, tracks };
}

/** The same run with lapjv on every assignment (no unique-answer shortcut). */
function runLapjvOnly(frames: DetFrame[]): void {
  const { params } = resolveTrackerOptions("trackerBench", PARAMS);
  let ids = 0;
  const core = new ByteTrackCore({ ...params, alwaysLapjv: true }, () => ++ids);
  for (const f of frames) core.step(f, 0);
}

interface PythonResult {
  msPerFrame: number;
  idSum: number;
  tracks: number;
}

/** The Python reference's ms per frame on the same frames, or why it is unavailable. */
async function pythonReference(frames: DetFrame[], rounds: number): Promise<PythonResult | string> {
  const dir = Deno.env.get("BYTETRACK_DIR");
  if (!dir) return "python reference unavailable (set BYTETRACK_DIR)";
  const python = Deno.env.get("BYTETRACK_PYTHON") ?? "python3";
  const job = JSON.stringify({
    params: PARAMS,
    rounds,
    frames: frames.map((f) => ({ boxes: [...f.boxes], scores: [...f.scores] })),
  });
  try {
    const child = new Deno.Command(python, {
      args: [SCRIPT],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(job));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    if (code !== 0) {
      const why = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
      return `python reference unavailable (${python} exited ${code}: ${why})`;
    }
    return JSON.parse(new TextDecoder().decode(stdout)) as PythonResult;
  } catch (error) {
    return `python reference unavailable (${python}: ${(error as Error).message})`;
  }
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

/** Runs the tracker benchmarks and prints their lines. */
export async function trackerBench(): Promise<void> {
  for (const [perFrame, frameCount, rounds] of [[50, 150, 5], [500, 60, 3]]) {
    const frames = trackingSequence(perFrame, frameCount, 20 + perFrame);
    const ours = runSequence(frames);
    const [total, lapjvTotal] = await compare([
      { name: "ByteTracker", run: () => runSequence(frames) },
      { name: "lapjv only", run: () => runLapjvOnly(frames) },
    ], { rounds: 7, calls: 1, warmup: 2 });
    const oursMs = total / frameCount;
    const lapjvNote = `with lapjv on every assignment ${ms(lapjvTotal / frameCount)} per frame`;
    const name = `tracker_update_${perFrame}`;
    const python = await pythonReference(frames, rounds);
    if (typeof python === "string") {
      console.log(`${name}: ${ms(oursMs)} per frame (${python})`);
      console.log(`    ${lapjvNote}`);
      continue;
    }
    const same = python.idSum === ours.idSum && python.tracks === ours.tracks;
    report(`${name} / python ByteTrack`, oursMs / python.msPerFrame, 0.05, [
      `ByteTracker.update ${ms(oursMs)} per frame, python BYTETracker.update ${
        ms(python.msPerFrame)
      } per frame (${perFrame} detections, ${frameCount} frames)`,
      `same output ids: ${same ? "yes" : `NO (ids sum ${ours.idSum} vs ${python.idSum})`}, ${
        (ours.tracks / frameCount).toFixed(1)
      } tracks per frame`,
      lapjvNote,
    ]);
  }
}

if (import.meta.main) await trackerBench();
