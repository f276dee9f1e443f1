/**
 * COCO panoptic annotations whose segments carry RLE masks (as the demo's
 * `models/demo/panoptic.json`; the file's schema is `src/wire/panoptic.ts`), turned into
 * the in-memory id maps and categories {@link panopticQuality} reads: snake_case names of
 * the file (`category_id`, `iscrowd`, `isthing`) become camelCase ones (`categoryId`,
 * `isCrowd`, `isThing`) here, at the boundary.
 *
 * @module
 */

import { decodeRle } from "../geometry/rle.ts";
import { describe } from "../describe.ts";
import type { PanopticRleAnnotation, PanopticRleCategory } from "../wire/panoptic.ts";
import type { PanopticCategory, PanopticGroundTruth } from "./panoptic_types.ts";

export type {
  PanopticRleAnnotation,
  PanopticRleCategory,
  PanopticRleJson,
  PanopticRleSegment,
} from "../wire/panoptic.ts";

/**
 * The id map of one annotation: each segment's mask painted with its id (a pixel in two
 * masks gets the later one), 0 where no segment is. The annotation is a file's (checked
 * with `PanopticRleJsonSchema`); its segments must all have the first one's size.
 *
 * @throws {RangeError} when the annotation has no segment (its size is unknown) or a
 * segment's mask has another size than the first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gt = panopticFromRle({
 *   image_id: 3,
 *   segments_info: [{ id: 9, category_id: 1, iscrowd: 0, segmentation: { size: [2, 2], counts: "022" } }],
 * });
 * assert.deepEqual([...gt.segmentIds], [9, 0, 9, 0]); // column 0 (row-major: pixels 0 and 2)
 * assert.deepEqual(gt.segments, [{ id: 9, categoryId: 1, isCrowd: false }]);
 * ```
 */
export function panopticFromRle(annotation: PanopticRleAnnotation): PanopticGroundTruth {
  const segments = annotation.segments_info;
  const image = ` (image ${annotation.image_id})`;
  if (segments.length === 0) {
    throw new RangeError(
      `panopticFromRle(): annotation.segments_info: expected segments with RLE masks, found ${
        describe(segments)
      }${image}`,
    );
  }
  const [height, width] = segments[0].segmentation.size;
  const segmentIds = new Int32Array(height * width);
  const out: PanopticGroundTruth["segments"][number][] = [];
  for (let j = 0; j < segments.length; j++) {
    const s = segments[j];
    const [h, w] = s.segmentation.size;
    if (h !== height || w !== width) {
      throw new RangeError(
        `panopticFromRle(): annotation.segments_info[${j}].segmentation.size: expected ` +
          `[${height}, ${width}], the size of segments_info[0], found [${h}, ${w}]${image}`,
      );
    }
    const mask = decodeRle(s.segmentation);
    for (let i = 0; i < mask.length; i++) if (mask[i]) segmentIds[i] = s.id;
    const segment = {
      id: s.id,
      categoryId: s.category_id,
      isCrowd: s.iscrowd === 1 || s.iscrowd === true,
    };
    out.push(s.area === undefined ? segment : { ...segment, area: s.area });
  }
  return { imageId: annotation.image_id, height, width, segmentIds, segments: out };
}

/**
 * The categories of a COCO panoptic file as {@link panopticQuality} reads them:
 * `isthing` (1 or 0) becomes `isThing` (true or false).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(panopticCategories([{ id: 1, name: "car", isthing: 1, supercategory: "vehicle" }]), [
 *   { id: 1, name: "car", isThing: true },
 * ]);
 * ```
 */
export function panopticCategories(
  categories: readonly PanopticRleCategory[],
): PanopticCategory[] {
  const out: PanopticCategory[] = [];
  for (const c of categories) {
    out.push({ id: c.id, name: c.name, isThing: c.isthing === 1 || c.isthing === true });
  }
  return out;
}
