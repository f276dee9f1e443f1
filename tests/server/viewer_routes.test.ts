import assert from "node:assert/strict";
import { decodeRle, encodeRle } from "../../src/geometry/rle.ts";
import { RLE_BUNDLE, rleBundle } from "../../src/server/viewer/rle_bundle.ts";
import { viewerRoutes } from "../../src/server/viewer_routes.ts";
import * as viewerRle from "../../src/server/viewer/rle.js";
import { random } from "../_helpers/random.ts";
import { ROOT } from "../_helpers/server.ts";

Deno.test("the viewer's rle.js is the bundle of src/geometry/rle.ts that rle_bundle.ts makes now", async () => {
  const committed = await Deno.readTextFile(`${ROOT}${RLE_BUNDLE}`);
  assert.ok(
    committed === await rleBundle(),
    `${RLE_BUNDLE} is stale: run deno task generate`,
  );
});

Deno.test("the viewer page loads viewer.js as a module, which imports the server's RLE decoder", async () => {
  const app = viewerRoutes();
  const page = await (await app.request("/")).text();
  assert.match(page, /<script type="module" src="\/viewer\/viewer\.js"><\/script>/);
  const viewer = await app.request("/viewer/viewer.js");
  assert.equal(viewer.status, 200);
  assert.match(await viewer.text(), /^import \{ decodeRle \} from "\.\/rle\.js";$/m);
  const rle = await app.request("/viewer/rle.js");
  assert.equal(rle.status, 200);
  assert.match(rle.headers.get("content-type")!, /^text\/javascript/);
  assert.equal(await rle.text(), await Deno.readTextFile(`${ROOT}${RLE_BUNDLE}`));
});

/** Masks of many shapes: empty, full, single pixels, long runs, odd sizes, noise. */
function* masks(): Generator<[string, Uint8Array, number, number]> {
  const rand = random(20261201);
  yield ["0×0", new Uint8Array(0), 0, 0];
  yield ["empty 1×1", new Uint8Array(1), 1, 1];
  yield ["full 1×1", new Uint8Array([1]), 1, 1];
  yield ["empty 360×640", new Uint8Array(360 * 640), 360, 640];
  yield ["full 360×640", new Uint8Array(360 * 640).fill(1), 360, 640];
  for (const [h, w] of [[7, 13], [360, 640], [1, 99_999]]) {
    for (const at of [0, h * w - 1, Math.floor(h * w / 2)]) {
      const mask = new Uint8Array(h * w);
      mask[at] = 1;
      yield [`single pixel ${at} of ${h}×${w}`, mask, h, w];
    }
  }
  // Runs longer than 2^16 (and than 2^20): whole columns of a tall mask.
  const [h, w] = [1031, 257];
  const long = new Uint8Array(h * w);
  for (let x = 40; x < 200; x++) for (let y = 0; y < h; y++) long[y * w + x] = 1;
  yield [`long runs ${h}×${w}`, long, h, w];
  for (let k = 0; k < 40; k++) {
    const mh = 1 + Math.floor(rand() * 97), mw = 1 + Math.floor(rand() * 131);
    const mask = new Uint8Array(mh * mw);
    // Blobs and noise: rectangles, then pixels flipped at a random rate.
    for (let b = 0; b < 3; b++) {
      const x0 = Math.floor(rand() * mw), y0 = Math.floor(rand() * mh);
      const x1 = x0 + Math.floor(rand() * mw), y1 = y0 + Math.floor(rand() * mh);
      for (let y = y0; y < Math.min(y1, mh); y++) {
        for (let x = x0; x < Math.min(x1, mw); x++) mask[y * mw + x] = 1;
      }
    }
    const flip = rand() * 0.3;
    for (let i = 0; i < mask.length; i++) if (rand() < flip) mask[i] ^= 1;
    yield [`seeded ${k} ${mh}×${mw}`, mask, mh, mw];
  }
}

Deno.test("the viewer's bundled decodeRle decodes every mask byte for byte as the server's", () => {
  for (const [name, mask, h, w] of masks()) {
    const rle = encodeRle(mask, h, w);
    const server = decodeRle(rle);
    assert.deepEqual(server, mask, `${name}: round trip`);
    assert.deepEqual(viewerRle.decodeRle(rle), server, `${name}: the viewer's decodeRle`);
  }
});
