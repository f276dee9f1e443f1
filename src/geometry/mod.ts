/**
 * `streamdet/ops`: the pure post-processing ops, TypeScript on typed arrays, matching the
 * reference implementations users compare against (docs/REFERENCE.md). This entry imports
 * nothing native and needs no permission.
 *
 * - boxes: {@link boxArea}, {@link boxIou}, {@link clipBoxes}, {@link removeSmallBoxes},
 *   {@link decodeBoxes} / {@link encodeBoxes} (torchvision);
 * - suppression: {@link nms}, {@link batchedNms} (torchvision), {@link softNms} (mmcv),
 *   {@link matrixNms} (SOLOv2), {@link matrixNmsBoxes} (PaddlePaddle / OpenVINO);
 * - masks: {@link pasteMask} / {@link pasteMasks} (detectron2), COCO RLE with
 *   {@link encodeRle} / {@link decodeRle} / {@link rleIou} (pycocotools);
 * - panoptic: {@link panopticFusion} (detectron2);
 * - keypoints: {@link heatmapsToKeypoints} (torchvision's Keypoint R-CNN decoding);
 * - single-stage heads: {@link anchorsForLevel} (torchvision's `AnchorGenerator`),
 *   {@link decodeFcos} and {@link decodeRetinaNet} (torchvision's `postprocess_detections`),
 *   {@link solov2Postprocess} with {@link pointsNms} (SOLOv2's `get_seg_single`).
 *
 * Boxes are `Float32Array`s of N×4 `x1, y1, x2, y2` in pixels, scores `Float32Array`s,
 * class ids `Int32Array`s; bad arguments throw a `TypeError` or `RangeError` that names
 * the argument, what was expected and what was found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nms, softNms } from "./mod.ts";
 * const boxes = new Float32Array([10, 10, 50, 50, 12, 11, 51, 49, 100, 100, 140, 150]);
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * assert.deepEqual([...nms(boxes, scores, 0.5)], [0, 2]);
 * assert.deepEqual([...softNms(boxes, scores, { method: "gaussian" }).keep], [0, 2, 1]);
 * ```
 *
 * @module
 */

export type {
  MatrixNmsKernel,
  PanopticResult,
  PanopticSegment,
  PastedMask,
  Rle,
  SoftNmsMethod,
  UncompressedRle,
} from "../types.ts";

// Boxes
export { boxArea, boxIou, clipBoxes, removeSmallBoxes } from "./boxes.ts";
export {
  type BoxCoderWeights,
  decodeBoxes,
  type DecodeBoxesOptions,
  encodeBoxes,
} from "./box_coder.ts";

// Suppression
export { batchedNms, nms } from "./nms.ts";
export { softNms, type SoftNmsOptions, type SoftNmsResult } from "./soft_nms.ts";
export { matrixNms, type MatrixNmsOptions } from "./matrix_nms.ts";
export { matrixNmsBoxes } from "./matrix_nms_boxes.ts";
export { maskHardNms } from "./mask_hard_nms.ts";

// Masks and RLE
export { pasteMask, pasteMasks } from "./paste_mask.ts";
export { pastedMaskToRle } from "./pasted_rle.ts";
export { compressRle, decodeRle, encodeRle } from "./rle.ts";
export { rleArea, rleMerge, rleToBbox } from "./rle_ops.ts";
export { bboxIou, rleIou } from "./rle_iou.ts";
export { polygonsToRle } from "./polygon_rle.ts";
export { rleCountsFromString, rleCountsToString } from "./rle_string.ts";
export { segmentRles } from "./segment_rles.ts";

// Panoptic
export {
  type InstanceMasks,
  panopticFusion,
  type PanopticFusionOptions,
  type SemanticMap,
} from "./panoptic_fusion.ts";

// Keypoints
export { type HeatmapKeypoints, heatmapsToKeypoints } from "./keypoints.ts";

// Single-stage heads
export {
  anchorsForLevel,
  anchorStride,
  cellAnchors,
  FCOS_ANCHOR_SIZES,
  RETINANET_ANCHOR_SIZES,
  RETINANET_ASPECT_RATIOS,
} from "./anchors.ts";
export type { ImageSize, SingleStageDetections, SingleStageOptions } from "./single_stage.ts";
export { decodeFcos, FCOS_DEFAULTS, type FcosHeadOutputs } from "./fcos_decode.ts";
export {
  decodeRetinaNet,
  RETINANET_DEFAULTS,
  type RetinaNetHeadOutputs,
} from "./retinanet_decode.ts";
export { pointsNms, solov2CellStrides } from "./solov2_grid.ts";
export {
  SOLOV2_DEFAULTS,
  type Solov2Detections,
  type Solov2Inputs,
  type Solov2Options,
  solov2Postprocess,
} from "./solov2_post.ts";
