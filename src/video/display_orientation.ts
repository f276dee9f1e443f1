/**
 * How an MP4 / QuickTime file asks for its picture to be shown: the display matrix of
 * its first video track (its `tkhd` box, after the movie's own `mvhd` matrix, as ffmpeg
 * combines them), read as a quarter-turn rotation and a mirror.
 *
 * ffmpeg turns rotated pictures upright itself (autorotation), but ffmpeg before 7
 * ignores a mirror in the matrix: a left-right flipped clip comes out turned by 180°
 * instead (and a top-bottom flipped one not at all). Sources and annotated videos of such
 * files turn ffmpeg's autorotation off and apply {@link orientationFilters} instead, so
 * that boxes land on the picture a player shows.
 *
 * @module
 */

/** The picture as shown: the coded picture mirrored left-right (when `mirror`), then turned. */
export interface Orientation {
  /** Clockwise quarter turns, in degrees. */
  rotation: 0 | 90 | 180 | 270;
  /** Mirrored left-right before the rotation. */
  mirror: boolean;
}

/** MP4 / QuickTime boxes that may come first in a file. */
const TOP_LEVEL = new Set(["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid"]);
/** The `moov` box is read whole up to this size (a long recording's index is a few MB). */
const MAX_MOOV_BYTES = 64 << 20;

interface Box {
  type: string;
  /** Offset of the payload, and its end, in the buffer or file. */
  start: number;
  end: number;
}

/** The boxes of `data[from, to)`; stops at the first malformed one. */
function boxes(data: Uint8Array, from: number, to: number): Box[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const found: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) break;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) break;
    found.push({ type: ascii(data, at + 4), start: at + header, end: at + size });
    at += size;
  }
  return found;
}

function ascii(data: Uint8Array, at: number): string {
  return String.fromCharCode(data[at], data[at + 1], data[at + 2], data[at + 3]);
}

/** The 2×2 part `[a, b, c, d]` of the 3×3 matrix at `at` (16.16 fixed point). */
function matrixAt(data: Uint8Array, at: number): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return [0, 1, 3, 4].map((i) => view.getInt32(at + 4 * i) / 65536);
}

/** The matrix of a `tkhd` or `mvhd` box (after version, dates, ids, duration...). */
function boxMatrix(data: Uint8Array, box: Box, kind: "tkhd" | "mvhd"): number[] | undefined {
  const version = data[box.start];
  const offset = kind === "tkhd" ? (version === 1 ? 52 : 40) : (version === 1 ? 48 : 36);
  if (box.start + offset + 36 > box.end) return undefined;
  return matrixAt(data, box.start + offset);
}

/** The handler type of a `trak` (`vide` for video). */
function handler(data: Uint8Array, trak: Box): string | undefined {
  const mdia = boxes(data, trak.start, trak.end).find((b) => b.type === "mdia");
  const hdlr = mdia && boxes(data, mdia.start, mdia.end).find((b) => b.type === "hdlr");
  return hdlr && hdlr.start + 12 <= hdlr.end ? ascii(data, hdlr.start + 8) : undefined;
}

/**
 * The orientation that a display matrix `[a, b, c, d]` (a point `(x, y)` of the coded
 * picture is shown at `(a·x + c·y, b·x + d·y)`, y down) asks for; undefined for a matrix
 * that is no quarter turn or mirror of one (scaled, sheared, other angles: ffmpeg's own
 * handling stays).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(orientationOf([0, 1, -1, 0]), { rotation: 90, mirror: false }); // a phone held upright
 * assert.deepEqual(orientationOf([-1, 0, 0, 1]), { rotation: 0, mirror: true }); // a selfie, mirrored
 * assert.equal(orientationOf([0.7071, 0.7071, -0.7071, 0.7071]), undefined); // 45°
 * ```
 */
export function orientationOf(matrix: readonly number[]): Orientation | undefined {
  const unit = matrix.map((v) => Math.abs(v - 1) < 1e-3 ? 1 : Math.abs(v + 1) < 1e-3 ? -1 : v);
  if (unit.some((v) => v !== 0 && v !== 1 && v !== -1)) return undefined;
  const key = unit.join(",");
  const table: Record<string, Orientation> = {
    "1,0,0,1": { rotation: 0, mirror: false },
    "0,1,-1,0": { rotation: 90, mirror: false },
    "-1,0,0,-1": { rotation: 180, mirror: false },
    "0,-1,1,0": { rotation: 270, mirror: false },
    "-1,0,0,1": { rotation: 0, mirror: true },
    "0,-1,-1,0": { rotation: 90, mirror: true },
    "1,0,0,-1": { rotation: 180, mirror: true },
    "0,1,1,0": { rotation: 270, mirror: true },
  };
  return table[key];
}

/**
 * The ffmpeg filters that turn a decoded picture into the picture as shown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(orientationFilters({ rotation: 0, mirror: true }), ["hflip"]);
 * assert.deepEqual(orientationFilters({ rotation: 90, mirror: false }), ["transpose=clock"]);
 * assert.deepEqual(orientationFilters({ rotation: 270, mirror: true }), ["transpose=cclock_flip"]);
 * ```
 */
export function orientationFilters(o: Orientation): string[] {
  if (o.mirror) {
    return {
      0: ["hflip"],
      90: ["transpose=clock_flip"],
      180: ["vflip"],
      270: ["transpose=cclock_flip"],
    }[
      o.rotation
    ];
  }
  return { 0: [], 90: ["transpose=clock"], 180: ["hflip", "vflip"], 270: ["transpose=cclock"] }[
    o.rotation
  ];
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

/**
 * The display orientation of the first video track of an MP4 / QuickTime file;
 * undefined when the file is not one, has no video track or its matrix is unreadable,
 * or no quarter turn or mirror (see {@link orientationOf}). Reads the top-level box
 * headers and the `moov` box only.
 *
 * @example
 * ```ts ignore
 * const o = await readOrientation("selfie.mp4"); // { rotation: 90, mirror: true }
 * ```
 */
export async function readOrientation(path: string): Promise<Orientation | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return undefined;
  }
  try {
    const size = (await file.stat()).size;
    let at = 0, first = true;
    while (at + 8 <= size) {
      const head = await readAt(file, at, 16);
      if (head.length < 8) return undefined;
      const view = new DataView(head.buffer);
      const type = ascii(head, 4);
      if (first && !TOP_LEVEL.has(type)) return undefined;
      first = false;
      let boxSize = view.getUint32(0), header = 8;
      if (boxSize === 1 && head.length === 16) {
        boxSize = Number(view.getBigUint64(8));
        header = 16;
      } else if (boxSize === 0) boxSize = size - at;
      if (boxSize < header) return undefined;
      if (type === "moov") {
        if (boxSize > MAX_MOOV_BYTES) return undefined;
        const moov = await readAt(file, at, boxSize);
        return moovOrientation(moov, header);
      }
      at += boxSize;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    file.close();
  }
}

function moovOrientation(moov: Uint8Array, header: number): Orientation | undefined {
  const children = boxes(moov, header, moov.length);
  const mvhd = children.find((b) => b.type === "mvhd");
  const movie = mvhd ? boxMatrix(moov, mvhd, "mvhd") : [1, 0, 0, 1];
  for (const trak of children.filter((b) => b.type === "trak")) {
    if (handler(moov, trak) !== "vide") continue;
    const tkhd = boxes(moov, trak.start, trak.end).find((b) => b.type === "tkhd");
    const track = tkhd && boxMatrix(moov, tkhd, "tkhd");
    if (!track || !movie) return undefined;
    // Row vectors, as ffmpeg: the track's matrix, then the movie's.
    const [a, b, c, d] = track, [e, f, g, h] = movie;
    return orientationOf([a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h]);
  }
  return undefined;
}
