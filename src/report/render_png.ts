/**
 * SVG documents to PNG images with resvg (`@resvg/resvg-js`, a native Node-API addon: no
 * browser), text drawn with the chart font's files (`chart_font.ts`) and no system font,
 * so a PNG looks the same on every machine. The addon loads on the first use; when it
 * cannot (no `--allow-ffi`, no build for the platform) {@link pngRenderer} says why, and
 * the report falls back to SVG files.
 *
 * @module
 */

import { CHART_FONT_FAMILY, chartFontFiles } from "./chart_font.ts";
import { loadResvg } from "./resvg_addon.ts";
import type { ResvgRenderOptions } from "@resvg/resvg-js";

/** One SVG rendered. */
export interface RenderedPng {
  /** The PNG file's bytes. */
  png: Uint8Array;
  /** Width in pixels (the SVG's × the scale). */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The image as RGBA bytes, row by row. */
  pixels: Uint8Array;
}

/** Renders an SVG document (see {@link pngRenderer}). */
export type PngRenderer = (svg: string) => RenderedPng;

/**
 * A renderer of SVG documents to PNG at `scale` device pixels per SVG pixel (default 2:
 * sharp on high-DPI screens), on a white background, with DejaVu Sans as the only font.
 * Rejects with an `Error` whose message says why when the addon cannot load.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const render = await pngRenderer();
 * const { png, width, height, pixels } = render(
 *   '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect x="20" width="20" height="20"/></svg>',
 * );
 * assert.deepEqual(pngSize(png), { width: 80, height: 40 });
 * assert.deepEqual([width, height, pixels.length], [80, 40, 80 * 40 * 4]);
 * assert.deepEqual([...pixels.subarray(0, 4)], [255, 255, 255, 255]); // white background
 * assert.deepEqual([...pixels.subarray(79 * 4, 80 * 4)], [0, 0, 0, 255]); // the black rectangle
 * ```
 */
export async function pngRenderer(scale = 2): Promise<PngRenderer> {
  if (!(scale > 0 && scale <= 8)) {
    throw new RangeError(`pngRenderer(): scale: expected a number in (0, 8], found ${scale}`);
  }
  const { Resvg } = await loadResvg();
  const files = chartFontFiles();
  const options = JSON.stringify(
    {
      font: {
        loadSystemFonts: false,
        fontFiles: [files.regular, files.bold],
        defaultFontFamily: CHART_FONT_FAMILY,
        sansSerifFamily: CHART_FONT_FAMILY,
      },
      fitTo: { mode: "zoom", value: scale },
      background: "white",
      logLevel: "error",
    } satisfies ResvgRenderOptions,
  );
  return (svg: string) => {
    const image = new Resvg(svg, options).render();
    const png = image.asPng();
    return {
      png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
      width: image.width,
      height: image.height,
      pixels: new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength),
    };
  };
}

/**
 * The width and height of a PNG, read from its IHDR chunk; throws when the bytes are not
 * a PNG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const header = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82,
 *   0, 0, 2, 128, 0, 0, 1, 224]);
 * assert.deepEqual(pngSize(header), { width: 640, height: 480 });
 * assert.throws(() => pngSize(new Uint8Array(24)), /not a PNG/);
 * ```
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b) || ihdr !== "IHDR") {
    throw new RangeError("pngSize(): not a PNG (no signature and IHDR chunk)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
