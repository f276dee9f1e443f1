/**
 * A stream runner's tracking: its `StreamTracking` (tracker, lines, zones), the model's
 * class names, the frame rate handed over from the source when none was configured, and
 * the changes of lines and zones a request makes.
 *
 * @module
 */

import type { ClassSpec } from "../inference/manifest.ts";
import type { Detections } from "../inference/postprocess.ts";
import type { LineConfig, ZoneConfig } from "../wire/analytics_config.ts";
import type { CountsMessage } from "../wire/event_messages.ts";
import type { StreamConfig } from "./config.ts";
import { ConfigError } from "../errors.ts";
import { StreamTracking, type TrackedResult, type TrackingInfo } from "./stream_tracking.ts";
import {
  resolveClasses,
  type ResolvedLine,
  type ResolvedZone,
  trackingOf,
} from "./stream_analytics_config.ts";

/**
 * The tracking of one stream; {@link RunnerTracking.of} gives none for a stream without
 * tracking.
 *
 * @example
 * ```ts ignore
 * const tracking = RunnerTracking.of(config, model.manifest.classes, `stream "cam"`);
 * const tracked = tracking?.track(detections, frame.index, frame.ptsMs, source.info?.input.fps);
 * ```
 */
export class RunnerTracking {
  #streamId: string;
  #tracking: StreamTracking;
  #labels: ReadonlyMap<number, string>;
  /** Whether the tracker's frame rate still waits for the source's (not configured). */
  #rateFromSource: boolean;

  private constructor(
    streamId: string,
    tracking: StreamTracking,
    labels: ReadonlyMap<number, string>,
    rateFromSource: boolean,
  ) {
    this.#streamId = streamId;
    this.#tracking = tracking;
    this.#labels = labels;
    this.#rateFromSource = rateFromSource;
  }

  /** The tracking of `config`'s stream, or none; a line or zone naming a class the model
   * has not is a `ConfigError` (`where` names the stream). */
  static of(
    config: StreamConfig,
    classes: readonly ClassSpec[],
    where: string,
  ): RunnerTracking | undefined {
    const tracking = trackingOf(config);
    if (!tracking) return undefined;
    const labels = new Map(classes.map((c) => [c.id, c.name]));
    return new RunnerTracking(
      config.id,
      new StreamTracking(
        config.id,
        tracking,
        config.fps ?? 30,
        resolveClasses(config.lines ?? [], labels, where, ["lines"]),
        resolveClasses(config.zones ?? [], labels, where, ["zones"]),
        labels,
      ),
      labels,
      tracking.frameRate === undefined && config.fps === undefined,
    );
  }

  /** Replaces the lines or zones (`where` names the request); an unchanged one keeps its
   * counts. Returns the counts after the change. */
  set(what: { lines?: LineConfig[]; zones?: ZoneConfig[] }, where: string) {
    const lines = what.lines && resolveClasses(what.lines, this.#labels, where, []);
    const zones = what.zones && resolveClasses(what.zones, this.#labels, where, []);
    if (lines) this.#tracking.setLines(lines);
    if (zones) this.#tracking.setZones(zones);
    return this.counts();
  }

  /** The lines and zones now. */
  analytics(): { lines: ResolvedLine[]; zones: ResolvedZone[] } {
    return { lines: [...this.#tracking.lines], zones: [...this.#tracking.zones] };
  }

  /** The counts now. */
  counts(): Omit<CountsMessage, "v"> {
    return this.#tracking.counts(Date.now());
  }

  /** Tracks, lines and zones as the stream's info shows them. */
  info(): TrackingInfo {
    return this.#tracking.info();
  }

  /** Tracks a frame's detections; the first frame hands the source's frame rate (when
   * known and none was configured) to the tracker. */
  track(
    detections: Detections,
    index: number,
    ptsMs: number,
    sourceFps: number | undefined,
  ): TrackedResult {
    if (this.#rateFromSource) {
      this.#rateFromSource = false;
      const t = this.#tracking;
      const fps = sourceFps;
      if (fps && Number.isFinite(fps) && fps > 0 && fps !== t.params.frameRate) {
        this.#tracking = new StreamTracking(
          this.#streamId,
          { ...t.params, frameRate: fps },
          fps,
          t.lines,
          t.zones,
          this.#labels,
        );
      }
    }
    return this.#tracking.update(detections, index, ptsMs, Date.now());
  }

  /** The error of a request for lines or zones on a stream without tracking. */
  static notTracked(where: string, streamId: string): ConfigError {
    return new ConfigError(
      `${where}: stream "${streamId}": expected a stream with tracking (lines and zones count tracked objects), found one without: add "tracking": true to it`,
    );
  }
}
