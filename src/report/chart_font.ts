/**
 * The font of the report's charts, DejaVu Sans, from the npm package `dejavu-fonts-ttf`:
 * the same TrueType files measure the text when vega lays a chart out and draw it when
 * resvg renders the PNG, so labels fit whatever fonts the machine has (a fresh CI
 * machine may have almost none). Text is measured with fontkit (shaping and kerning as
 * a renderer does), not estimated from its length.
 *
 * @module
 */

import { createRequire } from "node:module";

/** The font family the charts name (vega's `config.font`, resvg's default family). */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** The TrueType files of {@link CHART_FONT_FAMILY}: regular and bold. */
export interface ChartFontFiles {
  /** DejaVuSans.ttf. */
  regular: string;
  /** DejaVuSans-Bold.ttf. */
  bold: string;
}

/**
 * Where the chart font's files are (resolved in the npm package, as Node would).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const files = chartFontFiles();
 * assert.match(files.bold, /DejaVuSans-Bold\.ttf$/);
 * assert.ok(Deno.statSync(files.regular).size > 500_000);
 * ```
 */
export function chartFontFiles(): ChartFontFiles {
  const require = createRequire(import.meta.url);
  return {
    regular: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
    bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
  };
}

/** The part of a fontkit font that measures text. */
interface MeasuringFont {
  unitsPerEm: number;
  layout(text: string): { advanceWidth: number };
}

/** Measures the advance width of a line of text in the chart font, in pixels. */
export type TextWidth = (text: string, fontSize: number, bold: boolean) => number;

let measuring: Promise<TextWidth> | undefined;

/**
 * A function that measures a line of text in the chart font: its advance width at
 * `fontSize` pixels, regular or bold, shaped and kerned by fontkit (results cached).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const width = await chartTextWidth();
 * assert.ok(width("WWW", 12, false) > width("iii", 12, false) * 2);
 * assert.ok(width("AP", 12, true) > width("AP", 12, false));
 * assert.equal(width("AP", 24, false), 2 * width("AP", 12, false));
 * ```
 */
export function chartTextWidth(): Promise<TextWidth> {
  measuring ??= (async () => {
    const fontkit = await import("fontkit");
    const files = chartFontFiles();
    const load = async (path: string) =>
      fontkit.create(await Deno.readFile(path)) as unknown as MeasuringFont;
    const [regular, bold] = await Promise.all([load(files.regular), load(files.bold)]);
    const cache = new Map<string, number>();
    return (text: string, fontSize: number, isBold: boolean) => {
      const key = `${isBold ? "b" : "r"}${text}`;
      let em = cache.get(key);
      if (em === undefined) {
        const font = isBold ? bold : regular;
        em = font.layout(text).advanceWidth / font.unitsPerEm;
        cache.set(key, em);
      }
      return em * fontSize;
    };
  })();
  return measuring;
}
