/**
 * The bundled demo video and its ground truth (models/demo/, made by
 * models/training/make_demo.py) are consistent, and the shipped manifests describe them.
 */

import assert from "node:assert/strict";
import {
  decodeRle,
  evaluateCoco,
  FrameSource,
  type PanopticGroundTruth,
  panopticQuality,
  type PanopticRleJson,
} from "../../mod.ts";
import type { CocoGroundTruth, CocoResult } from "../../src/eval/coco_types.ts";
import { parseManifest } from "../../src/inference/manifest.ts";
import type { Rle } from "../../src/types.ts";
import { testFfmpeg } from "../_helpers/media.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DEMO = `${ROOT}models/demo`;

Deno.test("the demo video holds 300 frames of 640×360 at 15 fps", async () => {
  const source = new FrameSource({
    streamId: "demo",
    input: `${DEMO}/street.mp4`,
    ffmpeg: await testFfmpeg(),
    output: { fit: "native", width: 0, height: 0, format: "rgb24" },
    roots: [ROOT],
  });
  const { geometry } = await source.start();
  assert.deepEqual([geometry.sourceWidth, geometry.sourceHeight], [640, 360]);
  let count = 0, last = -1;
  for await (const frame of source.frames()) {
    assert.equal(frame.index, count++);
    last = frame.ptsMs;
  }
  await source.stop();
  assert.equal(count, 300);
  assert.ok(Math.abs(last - 299 * 1000 / 15) < 1, `last pts ${last}`);
  assert.ok((await Deno.stat(`${DEMO}/street.mp4`)).size <= 5_000_000);
});

Deno.test("the demo's instance ground truth scores AP 1 against itself, boxes and masks", async () => {
  const gt = JSON.parse(await Deno.readTextFile(`${DEMO}/instances.json`)) as CocoGroundTruth;
  assert.equal(gt.images.length, 300);
  const results: CocoResult[] = gt.annotations.filter((a) => !a.iscrowd).map((a) => ({
    image_id: a.image_id as number,
    category_id: a.category_id as number,
    score: 1,
    bbox: a.bbox as number[],
    segmentation: a.segmentation as Rle,
  }));
  const categoryIds = [1, 2, 3, 4];
  for (const type of ["bbox", "segm"] as const) {
    const { stats } = evaluateCoco(gt, results, type, { categoryIds });
    assert.equal(stats[0], 1, `${type} AP`);
  }
  // Sizes span COCO's small, medium and large.
  const areas = gt.annotations.map((a) => a.area as number);
  assert.ok(areas.some((a) => a < 32 ** 2) && areas.some((a) => a > 96 ** 2));
});

Deno.test("each demo panoptic frame is covered by its segments exactly once", async () => {
  const pan = JSON.parse(await Deno.readTextFile(`${DEMO}/panoptic.json`)) as PanopticRleJson;
  assert.equal(pan.annotations.length, 300);
  const truths: PanopticGroundTruth[] = [];
  for (const a of pan.annotations.slice(0, 20)) {
    const [h, w] = a.segments_info[0].segmentation.size;
    const ids = new Int32Array(h * w);
    for (const s of a.segments_info) {
      const m = decodeRle(s.segmentation);
      let area = 0;
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue;
        assert.equal(ids[i], 0, `image ${a.image_id}: pixel ${i} in two segments`);
        ids[i] = s.id;
        area++;
      }
      assert.equal(area, s.area);
    }
    assert.ok(ids.every((v) => v !== 0), `image ${a.image_id}: uncovered pixels`);
    truths.push({
      imageId: a.image_id,
      height: h,
      width: w,
      segmentIds: ids,
      segments: a.segments_info.map((s) => ({
        id: s.id,
        categoryId: s.category_id,
        iscrowd: s.iscrowd,
      })),
    });
  }
  const report = panopticQuality(truths, truths, pan.categories);
  assert.equal(report.all.pq, 1);
  assert.deepEqual(pan.categories.filter((c) => !c.isthing).map((c) => c.name), [
    "sky",
    "building",
    "road",
    "grass",
  ]);
});

Deno.test("the shipped manifests parse and name the demo's categories", async () => {
  const pan = JSON.parse(await Deno.readTextFile(`${DEMO}/panoptic.json`)) as PanopticRleJson;
  for (const name of ["street-maskrcnn", "street-fasterrcnn"]) {
    const path = `${ROOT}models/${name}/manifest.json`;
    const m = parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
    assert.ok((await Deno.stat(m.file)).size <= 25_000_000, `${name}: model.onnx ≤ 25 MB`);
    for (const c of m.classes) {
      const gt = pan.categories.find((g) => g.id === c.id);
      assert.equal(gt?.name, c.name);
      assert.equal(Boolean(gt?.isthing), c.isThing);
    }
    if (m.semantic) assert.deepEqual(m.semantic.classes, [0, 5, 6, 7, 8]);
  }
});

Deno.test("the plaza ground truth labels keypoints as COCO does and scores keypoint AP 1 against itself", async () => {
  const gt = JSON.parse(await Deno.readTextFile(`${DEMO}/plaza_keypoints.json`)) as CocoGroundTruth;
  assert.equal(gt.images.length, 300);
  const [person] = gt.categories;
  assert.equal(person.keypoints?.length, 17);
  let labelled = 0;
  for (const a of gt.annotations) {
    const kps = a.keypoints as number[];
    // No keypoint labels under COCO's medium area (32²), as COCO's annotators.
    if (a.area! < 1024) assert.equal(a.num_keypoints, 0, `annotation ${a.id}`);
    assert.equal(a.num_keypoints, kps.filter((_, i) => i % 3 === 2 && kps[i] > 0).length);
    if (!a.iscrowd && a.num_keypoints! > 0) labelled++;
  }
  assert.ok(labelled > 3000, `${labelled} labelled people`);
  const results: CocoResult[] = gt.annotations.filter((a) => !a.iscrowd && a.num_keypoints! > 0)
    .map((a) => ({
      image_id: a.image_id,
      category_id: a.category_id,
      score: 1,
      keypoints: (a.keypoints as number[]).map((v, i) => (i % 3 === 2 ? 1 : v)),
    }));
  const { stats } = evaluateCoco(gt, results, "keypoints");
  assert.equal(stats[0].toFixed(6), "1.000000");
});
