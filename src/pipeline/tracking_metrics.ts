/**
 * The Prometheus metrics of tracked objects: active tracks and tracks started per stream,
 * line crossings per line, direction and class, objects inside each zone per class. Fed by
 * the events of `stream_tracking.ts`.
 *
 * @module
 */

import client from "prom-client";
import type { StreamEvent } from "./events.ts";

/**
 * Tracking metrics, registered in the pipeline's registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import client from "prom-client";
 * const registry = new client.Registry();
 * const m = new TrackingMetrics(registry);
 * m.observe({ type: "line", streamId: "cam", frame: 3, ptsMs: 200, at: 0, line: "door",
 *   direction: "in", trackId: 1, classId: 2, label: "person",
 *   counts: { name: "door", in: { person: 1 }, out: {}, totalIn: 1, totalOut: 0 } });
 * assert.match(await registry.metrics(),
 *   /streamdet_line_crossings_total\{stream="cam",line="door",direction="in",class="person"\} 1/);
 * ```
 */
export class TrackingMetrics {
  readonly active: client.Gauge<"stream">;
  readonly started: client.Counter<"stream">;
  readonly crossings: client.Counter<"stream" | "line" | "direction" | "class">;
  readonly zoneObjects: client.Gauge<"stream" | "zone" | "class">;
  /** Zone gauges set per stream, to clear a class whose count fell to none. */
  #zoneClasses = new Map<string, Set<string>>();

  constructor(registry: client.Registry) {
    const registers = [registry];
    this.active = new client.Gauge({
      name: "streamdet_tracks_active",
      help: "Tracks confirmed and tracked now, per stream",
      labelNames: ["stream"],
      registers,
    });
    this.started = new client.Counter({
      name: "streamdet_tracks_started_total",
      help: "Tracks started (confirmed), per stream",
      labelNames: ["stream"],
      registers,
    });
    this.crossings = new client.Counter({
      name: "streamdet_line_crossings_total",
      help:
        "Objects that crossed a line, per direction (in: right to left walking from its first point to its second) and class",
      labelNames: ["stream", "line", "direction", "class"],
      registers,
    });
    this.zoneObjects = new client.Gauge({
      name: "streamdet_zone_objects",
      help: "Objects inside a zone now, per class",
      labelNames: ["stream", "zone", "class"],
      registers,
    });
  }

  /** Counts one event. */
  observe(event: StreamEvent): void {
    const stream = event.streamId;
    if (event.type === "track" && event.event === "started") this.started.inc({ stream });
    else if (event.type === "line") {
      this.crossings.inc({
        stream,
        line: event.line,
        direction: event.direction,
        class: event.label,
      });
    } else if (event.type === "zone" && event.event === "occupancy") {
      const key = `${stream}\u0000${event.zone}`;
      const seen = this.#zoneClasses.get(key) ?? new Set<string>();
      for (const c of seen) {
        if (!(c in event.occupancy)) {
          this.zoneObjects.set({ stream, zone: event.zone, class: c }, 0);
        }
      }
      for (const [c, n] of Object.entries(event.occupancy)) {
        this.zoneObjects.set({ stream, zone: event.zone, class: c }, n);
        seen.add(c);
      }
      this.#zoneClasses.set(key, seen);
    }
  }

  /** Sets a stream's active tracks. */
  setActive(stream: string, active: number): void {
    this.active.set({ stream }, active);
  }

  /** Forgets a removed stream's gauges (counters stay, as Prometheus expects). */
  removeStream(stream: string): void {
    this.active.remove({ stream });
    for (const [key, classes] of this.#zoneClasses) {
      const [s, zone] = key.split("\u0000");
      if (s !== stream) continue;
      for (const c of classes) this.zoneObjects.remove({ stream, zone, class: c });
      this.#zoneClasses.delete(key);
    }
  }
}
