/**
 * Binary masks as bits inside their bounding boxes, for counting the pixels two masks
 * share (`matrixNms`, `maskHardNms`).
 *
 * @module
 */

/** Number of set bits in a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Binary masks packed to bits inside their bounding boxes (32-pixel words), with their
 * areas and pixel boxes, so that the pixels two masks share are counted word by word over
 * the rows and words their boxes share. Matrix NMS and hard mask NMS count intersections
 * with it.
 *
 * @example Two 2×4 masks sharing 2 pixels
 * ```ts
 * import assert from "node:assert/strict";
 * const first = [1, 1, 1, 0, 0, 0, 0, 0], second = [0, 1, 1, 1, 0, 0, 0, 0];
 * const masks = new Uint8Array([...first, ...second]);
 * const packed = new PackedMasks(masks, 2, 2, 4);
 * assert.deepEqual([...packed.areas], [3, 3]);
 * assert.equal(packed.intersection(0, 1), 2);
 * assert.deepEqual([...packed.extents.subarray(0, 4)], [0, 0, 3, 1]);
 * ```
 */
export class PackedMasks {
  /** Pixel extents `c0, r0, c1 + 1, r1 + 1` of each mask, for the grid. */
  readonly extents: Float32Array;
  readonly areas: Float64Array;
  private readonly offset: Int32Array;
  private readonly stride: Int32Array;
  private readonly firstWord: Int32Array;
  private bits: Uint32Array;

  constructor(masks: Uint8Array, n: number, height: number, width: number) {
    this.extents = new Float32Array(n * 4);
    this.areas = new Float64Array(n);
    this.offset = new Int32Array(n);
    this.stride = new Int32Array(n);
    this.firstWord = new Int32Array(n);
    const plane = height * width;
    let used = 0;
    const bounds = new Int32Array(4);
    for (let i = 0; i < n; i++) {
      const area = this.measure(masks, i * plane, height, width, bounds);
      this.areas[i] = area;
      if (area === 0) continue; // empty: no extent, no bits (its IoU with anything is 0)
      const [c0, r0, c1, r1] = bounds;
      this.extents.set([c0, r0, c1 + 1, r1 + 1], i * 4);
      this.firstWord[i] = c0 >> 5;
      this.stride[i] = (c1 >> 5) - (c0 >> 5) + 1;
      this.offset[i] = used - r0 * this.stride[i];
      used += (r1 - r0 + 1) * this.stride[i];
    }
    this.bits = new Uint32Array(used);
    for (let i = 0; i < n; i++) {
      if (this.areas[i] === 0) continue;
      const o = i * 4, base = i * plane, w0 = this.firstWord[i], stride = this.stride[i];
      for (let r = this.extents[o + 1]; r < this.extents[o + 3]; r++) {
        const row = base + r * width, out = this.offset[i] + r * stride - w0;
        for (let c = this.extents[o]; c < this.extents[o + 2]; c++) {
          if (masks[row + c] !== 0) this.bits[out + (c >> 5)] |= 1 << (c & 31);
        }
      }
    }
  }

  /** Counts set pixels of one mask and writes its bounds `c0, r0, c1, r1`. */
  private measure(
    masks: Uint8Array,
    base: number,
    height: number,
    width: number,
    bounds: Int32Array,
  ): number {
    let area = 0, c0 = width, c1 = -1, r0 = height, r1 = -1;
    for (let r = 0; r < height; r++) {
      const row = base + r * width;
      let first = -1, last = -1;
      for (let c = 0; c < width; c++) {
        if (masks[row + c] !== 0) {
          if (first < 0) first = c;
          last = c;
          area++;
        }
      }
      if (first < 0) continue;
      if (r0 === height) r0 = r;
      r1 = r;
      if (first < c0) c0 = first;
      if (last > c1) c1 = last;
    }
    bounds[0] = c0, bounds[1] = r0, bounds[2] = c1, bounds[3] = r1;
    return area;
  }

  /** Pixels set in both masks. */
  intersection(i: number, j: number): number {
    const e = this.extents, a = i * 4, b = j * 4;
    const r0 = Math.max(e[a + 1], e[b + 1]), r1 = Math.min(e[a + 3], e[b + 3]);
    const w0 = Math.max(this.firstWord[i], this.firstWord[j]);
    const w1 = Math.min(this.firstWord[i] + this.stride[i], this.firstWord[j] + this.stride[j]);
    const bits = this.bits, si = this.stride[i], sj = this.stride[j];
    let inter = 0;
    for (let r = r0; r < r1; r++) {
      const pi = this.offset[i] + r * si - this.firstWord[i];
      const pj = this.offset[j] + r * sj - this.firstWord[j];
      for (let w = w0; w < w1; w++) {
        const both = bits[pi + w] & bits[pj + w];
        if (both !== 0) inter += popcount(both);
      }
    }
    return inter;
  }
}
