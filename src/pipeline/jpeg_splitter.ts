/**
 * Splits a byte stream of concatenated JPEG images (ffmpeg's `image2pipe` with `mjpeg`)
 * into whole images, by walking the marker segments to the scan and the scan to its end
 * marker, so that no byte pair inside a table can end an image early.
 *
 * @module
 */

/**
 * Collects chunks and returns every complete JPEG in them, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // SOI, a 4-byte APP0 segment, SOS with a 2-byte header, scan bytes (FF 00 stuffed), EOI
 * const jpeg = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0xff, 0xd9, 0xff, 0xda, 0x00, 0x02, 1, 0xff, 0x00, 2, 0xff, 0xd9];
 * const splitter = new JpegSplitter();
 * assert.equal(splitter.push(new Uint8Array(jpeg.slice(0, 9))).length, 0);
 * const images = splitter.push(new Uint8Array([...jpeg.slice(9), ...jpeg]));
 * assert.equal(images.length, 2);
 * assert.deepEqual([...images[0]], jpeg);
 * ```
 */
export class JpegSplitter {
  #buffer = new Uint8Array(1 << 16);
  #length = 0;
  /** Where the walk stopped in the current image, to resume there. */
  #cursor = 0;
  #inScan = false;

  /** Adds a chunk; returns the images it completed (copies). */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#append(chunk);
    const images: Uint8Array[] = [];
    for (;;) {
      const end = this.#walk();
      if (end < 0) break;
      images.push(this.#buffer.slice(0, end));
      this.#buffer.copyWithin(0, end, this.#length);
      this.#length -= end;
      this.#cursor = 0;
      this.#inScan = false;
    }
    return images;
  }

  /** The end (exclusive) of the first complete image, or -1. */
  #walk(): number {
    const b = this.#buffer, n = this.#length;
    let i = this.#cursor;
    if (i === 0) {
      if (n < 2) return -1;
      if (b[0] !== 0xff || b[1] !== 0xd8) {
        throw new Error(
          `JpegSplitter: expected an SOI marker (FF D8), found ${hex(b[0])} ${hex(b[1])}`,
        );
      }
      i = 2;
    }
    while (!this.#inScan) {
      if (i + 4 > n) return this.#pause(i);
      if (b[i] !== 0xff) {
        throw new Error(`JpegSplitter: expected a marker at byte ${i}, found ${hex(b[i])}`);
      }
      const marker = b[i + 1];
      const length = (b[i + 2] << 8) | b[i + 3];
      if (i + 2 + length > n) return this.#pause(i);
      i += 2 + length;
      if (marker === 0xda) this.#inScan = true;
    }
    for (; i + 1 < n; i++) {
      if (b[i] === 0xff && b[i + 1] === 0xd9) return i + 2;
    }
    return this.#pause(i);
  }

  #pause(at: number): number {
    this.#cursor = at;
    return -1;
  }

  #append(chunk: Uint8Array): void {
    if (this.#length + chunk.length > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + chunk.length));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
  }
}

function hex(byte: number | undefined): string {
  return byte === undefined ? "end of data" : byte.toString(16).toUpperCase().padStart(2, "0");
}
