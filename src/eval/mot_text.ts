/**
 * MOTChallenge text files, both ways: `gt.txt` and tracker output
 * (`frame,id,x,y,w,h,conf,...`, one box per line, boxes as left, top, width, height) to
 * {@link TrackingFrame}s and back.
 *
 * @module
 */

import { describe } from "../describe.ts";
import { checkTrackingFrames, fail } from "./mot_check.ts";
import type { TrackingFrame } from "./mot_types.ts";

/** Options of {@link parseMotText}. */
export interface ParseMotTextOptions {
  /**
   * Keep rows whose column 7 is 0 (default false: they are ground truth's "ignore" rows
   * and are dropped). Set it for tracker output, whose column 7 is a score.
   */
  keepIgnored?: boolean;
}

const INT32_MAX = 2147483647;

/**
 * Reads a MOTChallenge text file: lines `frame,id,x,y,w,h[,conf[,...]]` (commas, or
 * spaces when a line has no comma; blank lines skipped; columns after the 7th are read
 * as numbers and otherwise ignored). Boxes become `x1, y1, x2, y2` = `x, y, x + w, y + h`
 * (added in float64, stored as float32). Frames come out in increasing order, each
 * frame's boxes in file order (the order TrackEval matches them in).
 *
 * Ground truth's ignore rows are dropped: a row whose column 7 (the "consider" flag of
 * gt.txt) is 0, as TrackEval's MOTChallenge reader drops `zero_marked` rows. TrackEval
 * reads the flag as an integer, so it also drops flags strictly between −1 and 1; here
 * only 0 is, so that tracker scores in (0, 1) survive a default parse (gt.txt flags are
 * 0 or 1). Pass `{ keepIgnored: true }` for tracker output, where column 7 is a score.
 * Unlike TrackEval, rows of other classes (column 8) are kept: the input is one class.
 *
 * A bad line throws an `EvalInputError` naming `where:line`, the column, what was
 * expected and what was found. Frame numbers and ids must be integers (frames >= 1, ids
 * int32), an id must appear once per frame, and the box numbers must be finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frames = parseMotText("1,3,10,20,5,5,1,1,1\n1,4,0,0,2,2,0,1,1\n\n2,3,11,20,5,5,1,1,1\n", "gt.txt");
 * assert.deepEqual(frames.map((f) => [f.frame, [...f.ids], [...f.boxes]]), [
 *   [1, [3], [10, 20, 15, 25]],
 *   [2, [3], [11, 20, 16, 25]],
 * ]);
 * assert.throws(() => parseMotText("1,3,10,20,5\n", "gt.txt"), /gt.txt:1: h: expected a number, found nothing/);
 * ```
 */
export function parseMotText(
  text: string,
  where: string,
  options: ParseMotTextOptions = {},
): TrackingFrame[] {
  const rows = new Map<number, { ids: number[]; boxes: number[]; lines: number[] }>();
  const lines = text.split(/\r?\n/);
  const names = ["frame", "id", "x", "y", "w", "h", "conf"];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "") continue;
    const at = `${where}:${n + 1}`;
    const fields = (line.includes(",") ? line.split(",") : line.split(/\s+/)).map((f) => f.trim());
    if (fields.length > 1 && fields[fields.length - 1] === "") fields.pop(); // a trailing comma
    const values = fields.map((field, k) => {
      const value = field === "" ? NaN : Number(field);
      if (!Number.isFinite(value)) {
        fail(at, [names[k] ?? `column ${k + 1}`], "a number", describe(field));
      }
      return value;
    });
    for (let k = values.length; k < 6; k++) fail(at, [names[k]], "a number", "nothing");
    const [frame, id, x, y, w, h] = values;
    if (!Number.isInteger(frame) || frame < 1) {
      fail(at, ["frame"], "an integer >= 1", describe(fields[0]));
    }
    if (!Number.isInteger(id) || id < -INT32_MAX - 1 || id > INT32_MAX) {
      fail(at, ["id"], "an integer (int32)", describe(fields[1]));
    }
    if (values.length > 6 && values[6] === 0 && !options.keepIgnored) continue;
    let entry = rows.get(frame);
    if (entry === undefined) rows.set(frame, entry = { ids: [], boxes: [], lines: [] });
    const previous = entry.ids.indexOf(id);
    if (previous >= 0) {
      fail(
        at,
        ["id"],
        `an id not used yet in frame ${frame}`,
        `${id}, as on line ${entry.lines[previous]}`,
      );
    }
    entry.ids.push(id);
    entry.lines.push(n + 1);
    entry.boxes.push(x, y, x + w, y + h);
  }
  return [...rows.keys()].sort((a, b) => a - b).map((frame) => {
    const { ids, boxes } = rows.get(frame)!;
    return { frame, ids: Int32Array.from(ids), boxes: Float32Array.from(boxes) };
  });
}

/** The shortest decimal that `read` turns back into `target`. */
function shortest(value: number, read: (text: string) => number, target: number): string {
  for (let p = 1; p <= 17; p++) {
    const text = String(Number(value.toPrecision(p)));
    if (read(text) === target) return text;
  }
  return String(value);
}

/**
 * Writes frames as MOTChallenge tracker output: one line `frame,id,x,y,w,h,score,-1,-1,-1`
 * per box, frames in increasing order, boxes in their order. `x, y, w, h` are
 * `x1, y1, x2 − x1, y2 − y1`, each written as the shortest decimal that
 * {@link parseMotText} reads back to the same float32 box; `scores[k]` holds the scores
 * of `frames[k]` (default 1 for every box).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const frames = [{ frame: 1, ids: new Int32Array([3]), boxes: new Float32Array([10, 20, 15.5, 25]) }];
 * assert.equal(formatMotText(frames), "1,3,10,20,5.5,5,1,-1,-1,-1\n");
 * assert.equal(formatMotText(frames, [new Float32Array([0.9])]), "1,3,10,20,5.5,5,0.9,-1,-1,-1\n");
 * assert.deepEqual(parseMotText(formatMotText(frames), "out.txt"), frames);
 * ```
 */
export function formatMotText(
  frames: readonly TrackingFrame[],
  scores?: readonly Float32Array[],
): string {
  checkTrackingFrames("formatMotText()", "frames", frames);
  if (scores !== undefined) {
    if (!Array.isArray(scores) || scores.length !== frames.length) {
      fail(
        "formatMotText()",
        ["scores"],
        `an array of ${frames.length} Float32Arrays`,
        describe(scores),
      );
    }
    frames.forEach((f, k) => {
      const s = scores[k];
      if (!(s instanceof Float32Array) || s.length !== f.ids.length) {
        fail(
          "formatMotText()",
          ["scores", k],
          `a Float32Array of ${f.ids.length} scores`,
          describe(s),
        );
      }
      const bad = s.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        fail("formatMotText()", ["scores", k, bad], "a finite number", describe(s[bad]));
      }
    });
  }
  const f32 = (text: string) => Math.fround(Number(text));
  const order = frames.map((_, k) => k).sort((a, b) => frames[a].frame - frames[b].frame);
  let out = "";
  for (const k of order) {
    const { frame, ids, boxes } = frames[k];
    for (let i = 0; i < ids.length; i++) {
      const [x1, y1, x2, y2] = boxes.subarray(4 * i, 4 * i + 4);
      const x = shortest(x1, f32, x1), y = shortest(y1, f32, y1);
      // as parseMotText reads it back: x2 = float32(x + w)
      const w = shortest(x2 - x1, (t) => Math.fround(Number(x) + Number(t)), x2);
      const h = shortest(y2 - y1, (t) => Math.fround(Number(y) + Number(t)), y2);
      const score = scores ? shortest(scores[k][i], f32, scores[k][i]) : "1";
      out += `${frame},${ids[i]},${x},${y},${w},${h},${score},-1,-1,-1\n`;
    }
  }
  return out;
}
