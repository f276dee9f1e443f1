/**
 * streamdet: a streaming video detection runtime for Deno. This module is its whole
 * library API, re-exported from one entry per layer (docs/ARCHITECTURE.md, "Public API"),
 * which can also be imported alone: `./ops`, `./tracking`, `./analytics` and `./eval` (pure
 * TypeScript on typed arrays, no permission needed), `./wire` (the formats' schemas),
 * `./video`, `./inference`,
 * `./pipeline`, `./sinks`, `./batch`, `./report`, `./server`. Importing this module loads
 * the native ONNX Runtime: it needs `--allow-ffi`, which `./ops` and `./eval` do not.
 *
 * - boxes: {@link boxArea}, {@link boxIou}, {@link clipBoxes}, {@link removeSmallBoxes},
 *   {@link decodeBoxes} / {@link encodeBoxes} (torchvision);
 * - suppression: {@link nms}, {@link batchedNms} (torchvision), {@link softNms} (mmcv),
 *   {@link matrixNms} (SOLOv2), {@link matrixNmsBoxes} (PaddlePaddle / OpenVINO);
 * - masks: {@link pasteMask} / {@link pasteMasks} (detectron2), COCO RLE with
 *   {@link encodeRle} / {@link decodeRle} / {@link rleIou} (pycocotools), and
 *   {@link panopticFusion} (detectron2); keypoints from heatmaps with
 *   {@link heatmapsToKeypoints} (torchvision's Keypoint R-CNN);
 * - tracking: {@link ByteTracker} (ByteTrack, exactly) and {@link ClassTracker} (per class);
 *   counting lines and zones of tracked objects with {@link StreamAnalytics};
 * - evaluation: {@link evaluateCoco} (pycocotools' COCOeval: boxes, masks, keypoints),
 *   {@link pck} (keypoints), {@link panopticQuality}
 *   (panopticapi) and {@link evaluateTracking} (TrackEval's HOTA, CLEAR, Identity);
 * - video: {@link FrameSource} decodes files, live streams, cameras, image folders and test
 *   patterns with ffmpeg ({@link resolveFfmpeg} finds it), lossless or with a bounded live
 *   queue, reconnecting with backoff and reporting its status;
 * - inference: {@link loadModel} / {@link startModel} run ONNX graphs in worker sessions
 *   behind a cross-stream batcher;
 * - runtime: {@link createPipeline} wires sources, models and post-processing from a
 *   configuration ({@link loadPipelineConfig}) with a per-frame latency timeline and
 *   Prometheus metrics; {@link serve} serves it (REST, WebSocket results, viewer);
 *   {@link runDetect} runs detection over files as a job, and {@link evaluateReport} /
 *   {@link writeEvalReport} score results against a ground truth;
 * - wire formats: the schemas of every external format (configuration, manifest, messages,
 *   COCO files), e.g. {@link ResultMessageSchema}, with their TypeScript types.
 *
 * Boxes are `Float32Array`s of N×4 `x1, y1, x2, y2` in pixels, scores `Float32Array`s,
 * class ids `Int32Array`s; bad arguments throw a `TypeError` or `RangeError` that names
 * the argument, what was expected and what was found.
 *
 * @example Keep the best box of each cluster, then score what is left
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCoco, nms } from "./mod.ts";
 *
 * const boxes = new Float32Array([10, 10, 50, 50, 12, 11, 51, 49, 100, 100, 140, 150]);
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * const keep = nms(boxes, scores, 0.5); // [0, 2]
 * assert.deepEqual([...keep], [0, 2]);
 *
 * const groundTruth = {
 *   images: [{ id: 1, width: 200, height: 200 }],
 *   categories: [{ id: 1, name: "car" }],
 *   annotations: [
 *     { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 40, 40], area: 1600, iscrowd: 0 },
 *     { id: 2, image_id: 1, category_id: 1, bbox: [100, 100, 40, 50], area: 2000, iscrowd: 0 },
 *   ],
 * };
 * const results = [...keep].map((i) => ({
 *   image_id: 1,
 *   category_id: 1,
 *   score: scores[i],
 *   bbox: [boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2] - boxes[i * 4], boxes[i * 4 + 3] - boxes[i * 4 + 1]],
 * }));
 * const { stats } = evaluateCoco(groundTruth, results, "bbox");
 * assert.ok(stats[0] > 0.999); // AP
 * ```
 *
 * @module
 */

export {
  ConfigError,
  ConflictError,
  EvalInputError,
  type FieldIssue,
  ManifestError,
  ModelLoadError,
  ProtocolError,
  SourceError,
  StreamdetError,
} from "./src/errors.ts";
export * from "./src/geometry/mod.ts";
export * from "./src/tracking/mod.ts";
export * from "./src/analytics/mod.ts";
export * from "./src/eval/mod.ts";
export * from "./src/wire/mod.ts";
export * from "./src/video/mod.ts";
export * from "./src/inference/mod.ts";
export * from "./src/pipeline/mod.ts";
export * from "./src/sinks/mod.ts";
export * from "./src/batch/mod.ts";
export * from "./src/report/mod.ts";
export * from "./src/server/mod.ts";
