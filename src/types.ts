/**
 * Shared data types. This file imports nothing: every other layer may import it.
 *
 * Conventions (docs/ARCHITECTURE.md, "Data in memory"):
 * - boxes are `Float32Array`s of N×4 numbers `x1, y1, x2, y2` in absolute pixels;
 * - scores are `Float32Array`s of N, class ids `Int32Array`s of N;
 * - masks and label maps are row-major (`index = y * width + x`);
 * - COCO RLE counts are column-major, as pycocotools writes them.
 *
 * @module
 */

/**
 * A binary mask pasted into a frame, cropped to the region that the paste touched:
 * pixel `(x + i, y + j)` of the frame is `data[j * width + i]` (0 or 1).
 */
export interface PastedMask {
  /** Left column of the crop in frame pixels. */
  x: number;
  /** Top row of the crop in frame pixels. */
  y: number;
  /** Crop width in pixels (may be 0 when the box lies outside the frame). */
  width: number;
  /** Crop height in pixels (may be 0 when the box lies outside the frame). */
  height: number;
  /** Row-major `height × width` bytes, 1 inside the mask and 0 outside. */
  data: Uint8Array;
}

/**
 * COCO run-length encoding in the compressed string form that pycocotools writes
 * (`maskUtils.encode`): runs over the column-major pixel order, starting with a run
 * of zeros, delta-coded into printable ASCII.
 */
export interface Rle {
  /** `[height, width]` of the image the mask belongs to. */
  size: [number, number];
  /** Compressed counts string. */
  counts: string;
}

/** COCO run-length encoding with plain counts, as crowd annotations store it. */
export interface UncompressedRle {
  /** `[height, width]` of the image the mask belongs to. */
  size: [number, number];
  /** Run lengths over the column-major pixel order, starting with zeros. */
  counts: number[];
}

/**
 * Soft-NMS rescoring rule (mmcv's `method`): `"linear"` multiplies by `1 - IoU` above the
 * threshold, `"gaussian"` by `exp(-IoU² / sigma)` everywhere, `"hard"` (mmcv's `"naive"`)
 * drops boxes at or above the threshold.
 */
export type SoftNmsMethod = "linear" | "gaussian" | "hard";

/** Matrix NMS decay kernel (SOLOv2): `"gaussian"` (default) or `"linear"`. */
export type MatrixNmsKernel = "gaussian" | "linear";

/** One segment of a panoptic result. */
export interface PanopticSegment {
  /** Segment id in the id map, 1, 2, 3... (0 is void). */
  id: number;
  /** Category id: the instance's class id for things, the semantic label for stuff. */
  categoryId: number;
  /** Whether the segment is an instance ("thing") or a semantic region ("stuff"). */
  isThing: boolean;
  /** Detection score, for things. */
  score?: number;
  /** Index of the instance in the fusion's input, for things. */
  instanceIndex?: number;
  /** Number of pixels the segment holds in the id map. */
  area: number;
}

/** A panoptic segmentation of one frame: an id map and its segment table. */
export interface PanopticResult {
  /** Height of the id map in pixels. */
  height: number;
  /** Width of the id map in pixels. */
  width: number;
  /** Row-major `height × width` segment ids; 0 is void. */
  segmentIds: Int32Array;
  /** One entry per id used in `segmentIds`, in increasing id order. */
  segments: PanopticSegment[];
}

/** Pixel layout of a raw frame: 3 bytes per pixel, row-major. */
export type PixelFormat = "rgb24" | "bgr24";

/** One decoded video frame, as a source delivers it. */
export interface Frame {
  /** The stream the frame belongs to. */
  streamId: string;
  /** 0, 1, 2... per source, across reconnects. */
  index: number;
  /** Presentation time in milliseconds, from the decoder (may restart after a reconnect). */
  ptsMs: number;
  /** Epoch ms when the frame was read from the decoder (`now()` of src/clock.ts, the
   * clock of every timeline mark). */
  capturedAt: number;
  /** Frame width in pixels (after scaling). */
  width: number;
  /** Frame height in pixels (after scaling). */
  height: number;
  /** Pixel layout of `data`. */
  format: PixelFormat;
  /** `height × width × 3` bytes. */
  data: Uint8Array;
  /**
   * How this frame was made from its picture (the picture upright, as a player shows it,
   * is `sourceWidth × sourceHeight`): boxes found in the frame map back through it. Its
   * own, since an input may change size from one frame to the next.
   */
  geometry: FrameGeometry;
}

/**
 * What a live source does with a frame when its queue is full: `"drop-oldest"` (default:
 * latency stays bounded), `"drop-latest"` (keep what is queued), or `"wait"` (stop
 * reading: backpressure on the decoder).
 */
export type DropPolicy = "wait" | "drop-oldest" | "drop-latest";

/** Lifecycle states a source reports. */
export type SourceState =
  | "connecting"
  | "connected"
  | "stalled"
  | "reconnecting"
  | "ended"
  | "failed"
  | "stopped";

/** A status event of a source. */
export interface SourceStatus {
  streamId: string;
  state: SourceState;
  /** Wall-clock time of the event (`Date.now()`). */
  at: number;
  /** Reconnect attempt (1, 2...) for `reconnecting`, and `connecting` after one. */
  attempt?: number;
  /**
   * Why, for `stalled`, `reconnecting`, `failed`, `ended` when the input was damaged or
   * cut short, and `connected` again when the input changed size.
   */
  reason?: string;
  /**
   * The input's picture size (upright, as a player shows it), on `connected`: when the
   * input opens, and again, with a `reason`, whenever it changes mid-stream.
   */
  input?: { width: number; height: number };
  /**
   * Something wrong with the input that does not stop it yet, e.g. a file whose data ends
   * early: sent once with the current state, as soon as ffmpeg says it.
   */
  warning?: string;
}

/**
 * Where a source frame lands in the output frame: output pixel
 * `(x * scaleX + padX, y * scaleY + padY)` is source pixel `(x, y)`.
 */
export interface FrameGeometry {
  /** Source (native) size. */
  sourceWidth: number;
  sourceHeight: number;
  /** Output frame size. */
  width: number;
  height: number;
  /** Size of the scaled picture inside the output frame. */
  scaledWidth: number;
  scaledHeight: number;
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}
