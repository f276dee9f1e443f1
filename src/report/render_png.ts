/**
 * SVG charts to PNG files with headless Chromium, driven by playwright-core: one browser
 * for all the charts, each SVG set as a page's content and its element screenshotted.
 * Without a browser (none at `CHROMIUM_PATH` or `/usr/bin/chromium`, missing
 * permissions, a launch that fails) the SVG files are written instead and the outcome
 * says why, so a report never fails for want of a browser.
 *
 * @module
 */

import { dirname } from "node:path";

/** One chart to write: `path` ends in `.png` (the `.svg` fallback replaces the extension). */
export interface RenderTarget {
  /** A standalone SVG document (`<svg xmlns=... width=... height=...>`). */
  svg: string;
  /** Where the PNG goes. */
  path: string;
}

/** Options of {@link renderCharts}. */
export interface RenderOptions {
  /** `"auto"` (default): PNG when a browser runs, else SVG; `"svg"`: SVG only, no browser. */
  format?: "auto" | "svg";
  /** The Chromium binary (default: `CHROMIUM_PATH`, else `/usr/bin/chromium`). */
  chromiumPath?: string;
  /** Device pixels per SVG pixel (default 2: sharp on high-DPI screens). */
  scale?: number;
}

/** What {@link renderCharts} wrote. */
export interface RenderOutcome {
  /** `"png"`, or `"svg"` when no browser could render. */
  format: "png" | "svg";
  /** The files written, in the order of the targets. */
  files: string[];
  /** Why the charts are SVG (absent for PNG). */
  reason?: string;
}

/**
 * The Chromium binary to use: `CHROMIUM_PATH` when set (and readable), else
 * `/usr/bin/chromium`.
 *
 * @example
 * ```ts ignore
 * console.log(chromiumPath()); // "/usr/bin/chromium"
 * ```
 */
export function chromiumPath(): string {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("CHROMIUM_PATH");
  } catch {
    // no --allow-env: the default
  }
  return fromEnv || "/usr/bin/chromium";
}

/**
 * Writes each chart as a PNG rendered by headless Chromium, or, when no browser can
 * render, as an SVG next to where the PNG would be (same name, `.svg`).
 *
 * Needs `--allow-run` (the browser), `--allow-read`, `--allow-write` (its profile in the
 * temporary folder), `--allow-env` and `--allow-sys=homedir,osRelease` (playwright-core
 * reads them as it loads).
 *
 * @example
 * ```ts ignore
 * const svg = barChartSvg({ title: "AP", categories: ["car"], series: [{ name: "bbox", values: [0.5] }], yLabel: "AP" });
 * const outcome = await renderCharts([{ svg, path: "report/ap.png" }]);
 * console.log(outcome.format, outcome.files, outcome.reason ?? "");
 * ```
 */
export async function renderCharts(
  targets: readonly RenderTarget[],
  options: RenderOptions = {},
): Promise<RenderOutcome> {
  const reason = options.format === "svg"
    ? "SVG asked for"
    : await cannotRender(options.chromiumPath ?? chromiumPath());
  if (reason === null) {
    try {
      return { format: "png", files: await renderPng(targets, options) };
    } catch (error) {
      return writeSvgs(targets, `Chromium failed: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return writeSvgs(targets, reason);
}

/** Why no PNG can be rendered, or null when a browser should run. */
async function cannotRender(chromium: string): Promise<string | null> {
  try {
    const info = await Deno.stat(chromium);
    if (!info.isFile) return `${chromium} is not a file`;
  } catch {
    return `no Chromium at ${chromium} (install Debian's chromium or set CHROMIUM_PATH)`;
  }
  const missing: string[] = [];
  const check = (d: Deno.PermissionDescriptor, name: string) => {
    if (Deno.permissions.querySync(d).state !== "granted") missing.push(name);
  };
  check({ name: "run", command: chromium }, "--allow-run");
  check({ name: "env" }, "--allow-env");
  check({ name: "sys", kind: "homedir" }, "--allow-sys=homedir");
  check({ name: "sys", kind: "osRelease" }, "--allow-sys=osRelease");
  return missing.length > 0 ? `Chromium needs ${missing.join(", ")}` : null;
}

async function renderPng(
  targets: readonly RenderTarget[],
  options: RenderOptions,
): Promise<string[]> {
  // playwright-core's bundled is-wsl probes /proc/sys/fs/binfmt_misc/WSLInterop as it
  // loads, which Deno refuses without --allow-all; __IS_WSL_TEST__ skips the probe (its
  // answer only matters to playwright's "open in a desktop browser" helper).
  const had = Deno.env.get("__IS_WSL_TEST__");
  Deno.env.set("__IS_WSL_TEST__", "1");
  let playwright: typeof import("playwright-core");
  try {
    playwright = await import("playwright-core");
  } finally {
    if (had === undefined) Deno.env.delete("__IS_WSL_TEST__");
    else Deno.env.set("__IS_WSL_TEST__", had);
  }
  const browser = await playwright.chromium.launch({
    executablePath: options.chromiumPath ?? chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const context = await browser.newContext({ deviceScaleFactor: options.scale ?? 2 });
    const page = await context.newPage();
    const files: string[] = [];
    for (const target of targets) {
      await page.setContent(
        `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}svg{display:block}</style></head><body>${target.svg}</body></html>`,
      );
      const png = await page.locator("svg").first().screenshot({ type: "png" });
      await Deno.mkdir(dirname(target.path), { recursive: true });
      await Deno.writeFile(target.path, png);
      files.push(target.path);
    }
    await context.close();
    return files;
  } finally {
    await browser.close();
  }
}

async function writeSvgs(targets: readonly RenderTarget[], reason: string): Promise<RenderOutcome> {
  const files: string[] = [];
  for (const target of targets) {
    const path = target.path.replace(/\.png$/i, "") + ".svg";
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, `<?xml version="1.0" encoding="UTF-8"?>\n${target.svg}\n`);
    files.push(path);
  }
  return { format: "svg", files, reason };
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
