/**
 * `streamdet/sinks`: where results go besides the WebSocket: JSON Lines files of result
 * messages ({@link JsonlSink}, {@link openSinks} for a pipeline's configured sinks), COCO
 * results ({@link cocoResults}), and annotated videos ({@link AnnotatedVideoWriter},
 * {@link drawOverlay}); outputs are written atomically (a temporary file renamed into
 * place), so a reader never sees half a file. Needs `--allow-write` (and `--allow-run` for
 * the annotated video's ffmpeg).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cocoResults } from "./mod.ts";
 * const entries = cocoResults({ frame: 6, detections: [
 *   { box: [10, 20, 30, 60], classId: 2, label: "person", score: 0.9 },
 * ] });
 * assert.deepEqual(entries, [{ image_id: 7, category_id: 2, bbox: [10, 20, 20, 40], score: 0.9 }]);
 * ```
 *
 * @module
 */

export { JsonlSink, openSinks } from "./jsonl_sink.ts";
export { cocoResults } from "./coco_results.ts";
export { atomicWriteFile, atomicWriteText } from "./atomic_file.ts";
export {
  AnnotatedVideoError,
  type AnnotatedVideoOptions,
  type AnnotatedVideoSummary,
  AnnotatedVideoWriter,
} from "./annotated_video.ts";
export { drawOverlay, type OverlayOptions } from "./overlay.ts";
