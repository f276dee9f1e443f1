/**
 * The viewer page in a real browser (Debian's chromium, driven by playwright-core): it
 * draws the demo stream's frames with the detections, masks and panoptic colours that the
 * WebSocket sends, and shows the FPS and the latency of every stage.
 *
 * Without chromium the test is registered as ignored, unless STREAMDET_REQUIRE_BROWSER=1
 * (CI), where it fails. CHROMIUM_PATH overrides `/usr/bin/chromium`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeRle } from "../../src/geometry/rle.ts";
import type { Rle } from "../../src/types.ts";
import {
  DEMO_VIDEO,
  MASKRCNN,
  type Message,
  ROOT,
  startTestServer,
  TestClient,
} from "../_helpers/server.ts";
import { STAGES } from "../../src/pipeline/timeline.ts";

import {
  BROWSER_REQUIRED as REQUIRED,
  CHROMIUM,
  HAVE_CHROMIUM,
  launchChromium,
} from "../_helpers/browser.ts";

/** The line and zone of pipelines/demo.json. */
const LINE = { name: "crossing", points: [[300, 160], [370, 350]] };
const ZONE = { name: "road", points: [[280, 197], [560, 193], [600, 333], [180, 337]] };

const NAME =
  "the viewer draws the demo's detections, masks, panoptic colours, tracks, line and zone as the WebSocket sends them";
/** The viewer's overlay alphas (src/server/viewer/viewer.js). */
const STUFF_ALPHA = 115;
const THING_ALPHA = 140;

/** The browser's globals in the functions that run in the page (Deno's type check has no DOM
 * library). */
// deno-lint-ignore no-explicit-any
type InPage = any;

type Drawn = {
  frame: number;
  streamId: string;
  imageFrame: number | null;
  detections: { label: string; score: number; box: number[]; trackId?: number }[];
  lines: { name: string; totalIn?: number; totalOut?: number }[];
  zones: { name: string; total?: number }[];
  trails: number;
};

/** What the page drew last, read in one go (no frame can be drawn in between). */
interface Snapshot {
  drawn: Drawn;
  dataFrame: string;
  width: number;
  height: number;
  /** The mask overlay's RGBA, base64. */
  overlay: string;
  /** Distinct colours among sampled canvas pixels. */
  canvasColours: number;
}

/** The overlay the viewer should paint for a result: stuff segments, then instance masks
 * from the lowest score up, row-major RGBA. */
function expectedOverlay(result: Message, colours: Map<number, number[]>): Uint8Array {
  const { width, height } = result;
  const out = new Uint8Array(width * height * 4);
  const paint = (rle: Rle, colour: number[], alpha: number) => {
    const mask = decodeRle(rle);
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      out.set([colour[0], colour[1], colour[2], alpha], i * 4);
    }
  };
  for (const s of result.panoptic.segments) {
    if (!s.isThing) paint(s.rle, colours.get(s.classId)!, STUFF_ALPHA);
  }
  for (const d of [...result.detections].reverse()) {
    if (d.mask) paint(d.mask, colours.get(d.classId)!, THING_ALPHA);
  }
  return out;
}

async function test(): Promise<void> {
  const server = await startTestServer({
    models: { street: { manifest: MASKRCNN, maxWaitMs: 5 } },
    streams: [{
      id: "demo",
      source: DEMO_VIDEO,
      loop: true,
      tracking: true,
      lines: [LINE],
      zones: [ZONE],
    }],
  });
  let client: TestClient | undefined;
  let browser: import("playwright-core").Browser | undefined;
  try {
    // The reference: a WebSocket client with the page's filter, subscribed before the page.
    client = await TestClient.connect(server.wsUrl);
    const hello = client.messages[0];
    const colours = new Map<number, number[]>(
      hello.models[0].classes.map((c: Message) => [c.id, c.color]),
    );
    client.send({ type: "subscribe", streams: ["demo"], masks: true, panoptic: true });
    await client.waitFor((m) => m.type === "subscribed");

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on(
      "console",
      (m) => m.type() === "error" && errors.push(`${m.text()} (${m.location().url})`),
    );
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(
      () => ((globalThis as InPage).__viewer?.framesDrawn ?? 0) >= 3,
      null,
      { timeout: 90_000, polling: 100 },
    );
    // The FPS and the stages are refreshed every 250 ms: a row per stage, and the total.
    await page.waitForFunction(
      (rows: number) => {
        const { document } = globalThis as InPage;
        const fps = Number(document.getElementById("fps")?.textContent);
        return fps > 0 && document.querySelectorAll("#stages tr").length === rows;
      },
      STAGES.length + 1,
      { timeout: 10_000, polling: 100 },
    );

    // The snapshot is taken in the same task as the check that the last frame drawn is
    // on its own picture: pictures come from the thumbnail encoder, which starts after the
    // first results, and the viewer draws those first results on no picture.
    const snapHandle = await page.waitForFunction(
      () => {
        const { __viewer: v, document } = globalThis as InPage;
        const last = v.drawn.at(-1);
        if (!last || last.imageFrame !== last.frame) return false;
        const o = v.overlay;
        const rgba: Uint8ClampedArray =
          o.getContext("2d").getImageData(0, 0, o.width, o.height).data;
        let binary = "";
        for (let i = 0; i < rgba.length; i += 0x8000) {
          binary += String.fromCharCode(...rgba.subarray(i, i + 0x8000));
        }
        const canvas = document.getElementById("canvas");
        const pixels: Uint8ClampedArray = canvas.getContext("2d")
          .getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < pixels.length; i += 4 * 97) {
          seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
        }
        return {
          drawn: v.drawn.at(-1),
          dataFrame: canvas.dataset.frame ?? "",
          width: o.width,
          height: o.height,
          overlay: btoa(binary),
          canvasColours: seen.size,
        };
      },
      null,
      { timeout: 60_000, polling: 50 },
    );
    const snap = await snapHandle.jsonValue() as Snapshot;
    await snapHandle.dispose();
    const { drawn } = snap;

    // Detections: the page drew exactly what the WebSocket sent for that frame, on the
    // picture of that same frame.
    assert.equal(drawn.streamId, "demo");
    assert.equal(snap.dataFrame, String(drawn.frame));
    assert.equal(drawn.imageFrame, drawn.frame, "the picture is the frame's own thumbnail");
    const result = await client.waitFor((m) => m.type === "result" && m.frame === drawn.frame);
    assert.ok(result.detections.length > 0, "the demo frame has detections");
    assert.deepEqual(
      drawn.detections,
      result.detections.map((d: Message) => ({
        label: d.label,
        score: d.score,
        box: d.box,
        ...(d.trackId ? { trackId: d.trackId } : {}),
      })),
    );
    // Tracks: ids in the labels, a trail per track, the line and the zone with their counts.
    assert.ok(drawn.detections.some((d) => d.trackId), "tracked detections");
    assert.ok(drawn.trails > 0, "trails");
    assert.deepEqual(drawn.lines.map((l) => l.name), [LINE.name]);
    assert.deepEqual(drawn.zones.map((z) => z.name), [ZONE.name]);
    assert.equal(typeof drawn.zones[0].total, "number", "the zone's count came");

    // Masks and panoptic colours: the overlay is the result's stuff segments and
    // instance masks, pixel for pixel, in their class colours (up to premultiplied-alpha
    // rounding).
    assert.deepEqual([snap.width, snap.height], [result.width, result.height]);
    const got = Uint8Array.from(atob(snap.overlay), (c) => c.charCodeAt(0));
    const want = expectedOverlay(result, colours);
    let covered = 0, things = 0, wrongCover = 0, wrongColour = 0;
    for (let i = 0; i < want.length; i += 4) {
      if (want[i + 3] === THING_ALPHA) things++;
      if (want[i + 3] > 0) covered++;
      if (got[i + 3] !== want[i + 3]) wrongCover++;
      else if (
        want[i + 3] > 0 && [0, 1, 2].some((c) => Math.abs(got[i + c] - want[i + c]) > 3)
      ) wrongColour++;
    }
    assert.ok(things > 0 && covered > things, `masks and stuff: ${things} / ${covered} pixels`);
    assert.equal(wrongCover, 0, `overlay pixels covered differently from the result`);
    assert.equal(wrongColour, 0, `overlay pixels in the wrong colour`);

    // The canvas really shows a picture, not one flat colour.
    assert.ok(snap.canvasColours > 100, `${snap.canvasColours} distinct colours on the canvas`);

    // FPS and the latency of every stage, with numbers.
    const fps = Number(await page.textContent("#fps"));
    assert.ok(fps > 0, `fps ${fps}`);
    const rows = await page.$$eval(
      "#stages tr",
      (trs) => trs.map((tr) => [(tr as InPage).dataset.stage, tr.lastElementChild?.textContent]),
    );
    assert.deepEqual(rows.map(([stage]) => stage), [...STAGES, "totalMs"]);
    for (const [stage, text] of rows) assert.match(text ?? "", /^\d+\.\d ms$/, `${stage}: ${text}`);
    assert.ok(parseFloat(rows.at(-1)![1]!) > 0, "total latency");
    // The bar is redrawn every 250 ms: wait for a drawing of it with width (one read can
    // fall between a redraw and its layout on a loaded machine).
    const barWidth = await page.waitForFunction(
      () => {
        const spans = [...(globalThis as InPage).document.querySelectorAll("#bar span")];
        const width = spans.reduce(
          (sum: number, s: InPage) => sum + s.getBoundingClientRect().width,
          0,
        );
        return width > 0 ? width : false;
      },
      null,
      { timeout: 10_000, polling: 100 },
    ).then((h) => h.jsonValue()) as number;
    assert.ok(barWidth > 0, "the stage bar has width");
    assert.match(await page.textContent("#source") ?? "", /connected/);
    assert.deepEqual(errors, []);

    await Deno.mkdir(`${ROOT}tests/output`, { recursive: true });
    await page.screenshot({ path: `${ROOT}tests/output/viewer.png` });
  } finally {
    await browser?.close();
    await client?.close();
    await server.close();
  }
}

if (HAVE_CHROMIUM || REQUIRED) {
  Deno.test(NAME, test);
} else {
  Deno.test({
    name: `${NAME} (ignored: chromium is missing at ${CHROMIUM})`,
    ignore: true,
    fn: test,
  });
}
