/**
 * The viewer with the shipped keypoint model on the plaza demo, in a real browser (Debian's
 * chromium, driven by playwright-core): `hello` gives the model's skeleton, and each person
 * the WebSocket sends is drawn with its skeleton: a white dot at every keypoint.
 *
 * Without chromium the test is registered as ignored, unless STREAMDET_REQUIRE_BROWSER=1
 * (CI), where it fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Message, ROOT, startTestServer, TestClient } from "../_helpers/server.ts";
import {
  BROWSER_REQUIRED as REQUIRED,
  CHROMIUM,
  HAVE_CHROMIUM,
  launchChromium,
} from "../_helpers/browser.ts";
import { COCO_SKELETON } from "../../src/wire/keypoint_spec.ts";

const NAME = "the viewer draws a skeleton for each person a keypoint model finds";

// deno-lint-ignore no-explicit-any
type InPage = any;

interface Snapshot {
  frame: number;
  skeletons: number;
  keypoints: number[][];
  /** The canvas' RGB at each keypoint of the last person (drawn last). */
  colours: number[][];
}

async function test(): Promise<void> {
  const server = await startTestServer({
    models: { pose: { manifest: `${ROOT}models/plaza-keypointrcnn/manifest.json`, maxWaitMs: 5 } },
    streams: [{ id: "plaza", source: `${ROOT}models/demo/plaza.mp4`, loop: true }],
  });
  let client: TestClient | undefined;
  let browser: import("playwright-core").Browser | undefined;
  try {
    client = await TestClient.connect(server.wsUrl);
    const hello = client.messages[0];
    assert.deepEqual(hello.models[0].keypoints.skeleton, COCO_SKELETON.map((p) => [...p]));
    assert.equal(hello.models[0].keypoints.names[0], "nose");
    client.send({ type: "subscribe", streams: ["plaza"] });
    await client.waitFor((m) => m.type === "subscribed");

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    // A frame drawn on its own picture with people: read its first person's keypoints off
    // the canvas in the same task.
    const handle = await page.waitForFunction(
      () => {
        const { __viewer: v, document } = globalThis as InPage;
        const last = v.drawn.at(-1);
        if (!last || last.imageFrame !== last.frame || last.skeletons === 0) return false;
        const canvas = document.getElementById("canvas");
        const ctx = canvas.getContext("2d");
        // The last person drawn, tall enough that its 17 dots do not all cover each other
        // (on a small person a neighbour's rim covers most of them: flaky on some frames).
        const person = last.detections.findLast((d: InPage) => d.keypoints);
        if (!person || person.box[3] - person.box[1] < 100) return false;
        const first = person.keypoints;
        // A keypoint on the frame's edge (a person cut by it) has its dot's centre just off
        // the canvas, where the pixel read is transparent black.
        for (let k = 0; k < first.length; k += 3) {
          if (first[k] >= canvas.width - 1 || first[k + 1] >= canvas.height - 1) return false;
        }
        const colours = [];
        for (let k = 0; k < first.length; k += 3) {
          const [r, g, b] = ctx.getImageData(Math.floor(first[k]), Math.floor(first[k + 1]), 1, 1)
            .data;
          colours.push([r, g, b]);
        }
        return {
          frame: last.frame,
          skeletons: last.skeletons,
          keypoints: last.detections.map((d: InPage) => d.keypoints),
          colours,
        };
      },
      null,
      { timeout: 90_000, polling: 50 },
    );
    const snap = await handle.jsonValue() as Snapshot;
    await handle.dispose();
    const result = await client.waitFor((m) => m.type === "result" && m.frame === snap.frame);
    assert.ok(result.detections.length > 0, "people on the plaza");
    assert.equal(snap.skeletons, result.detections.length, "a skeleton per person");
    assert.deepEqual(snap.keypoints, result.detections.map((d: Message) => d.keypoints));
    // The dots are white with a dark rim, drawn in keypoint order: the last keypoint of the
    // last person is on top of everything; a neighbour's rim may cover an earlier one.
    const isWhite = ([r, g, b]: number[]) => r > 240 && g > 240 && b > 240;
    assert.ok(isWhite(snap.colours[16]), `the last keypoint: ${snap.colours[16]}`);
    const white = snap.colours.filter(isWhite).length;
    assert.ok(white >= 9, `${white} of 17 keypoints drawn white: ${JSON.stringify(snap.colours)}`);
    assert.deepEqual(errors, []);
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
