/**
 * The server's log: one JSON object per line (on stderr by default) for each state change
 * of a stream or model, each reconnect attempt, each frame that failed in a model, and
 * each warning, so that an operator watching the terminal sees a failing stream or a
 * reconnect loop. Nothing is written per frame that goes well. A line is written when its
 * level is at or above the log's (`LOG_LEVELS`, from `info` to `off`).
 *
 * @module
 */

import type { StatusEvent } from "./events.ts";
import { LOG_LEVELS, type LogLevel } from "../wire/pipeline_config.ts";

/** The level of a line (every level but `off`). */
export type LineLevel = Exclude<LogLevel, "off">;

/**
 * The level a status event is logged at: failures and a sink that cannot reach its
 * destination are `error`; stalls, reconnect attempts, a stream's warnings (a damaged
 * input), provider fallbacks, frame errors and a sink dropping messages (or connected with
 * a warning) `warn`; every other change `info`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(statusLevel({ type: "stream", streamId: "cam", state: "connected", at: 0 }), "info");
 * assert.equal(statusLevel({ type: "stream", streamId: "cam", state: "reconnecting", at: 0, attempt: 2 }), "warn");
 * assert.equal(statusLevel({ type: "model", model: "m", state: "failed", at: 0 }), "error");
 * assert.equal(statusLevel({ type: "stream", streamId: "cam", state: "connected", at: 0, warning: "the input is damaged" }), "warn");
 * assert.equal(statusLevel({ type: "sink", sink: "mqtt-0", sinkType: "mqtt", url: "mqtt://broker:1883", state: "disconnected", at: 0 }), "error");
 * ```
 */
export function statusLevel(event: StatusEvent): LineLevel {
  switch (event.type) {
    case "frame-error":
      return "warn";
    case "model":
      return event.state === "failed" ? "error" : event.state === "fallback" ? "warn" : "info";
    case "stream":
      return event.state === "failed"
        ? "error"
        : event.state === "stalled" || event.state === "reconnecting" || event.warning
        ? "warn"
        : "info";
    case "sink":
      return event.state === "disconnected"
        ? "error"
        : event.state === "dropping" || event.reason
        ? "warn"
        : "info";
  }
}

/**
 * Writes status events and warnings as JSON lines: `time` (ISO 8601), `level`, `event`
 * (`stream`, `model`, `frame-error`, `sink`, `warning`), then the event's own fields with the
 * names its WebSocket `status` message uses (`streamId`, `state`, `attempt`, `reason`...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const log = new StatusLog("warn", (line) => lines.push(line));
 * log.status({ type: "stream", streamId: "cam", state: "connected", at: 0 }); // info: below warn
 * log.status({ type: "stream", streamId: "cam", state: "reconnecting", at: 0, attempt: 1, reason: "Connection refused" });
 * log.warning("cuda: not installed, using cpu");
 * const [first, second] = lines.map((line) => JSON.parse(line));
 * assert.equal(lines.length, 2);
 * assert.deepEqual(first, {
 *   time: "1970-01-01T00:00:00.000Z", level: "warn", event: "stream", streamId: "cam",
 *   state: "reconnecting", attempt: 1, reason: "Connection refused",
 * });
 * assert.deepEqual([second.level, second.event, second.message], ["warn", "warning", "cuda: not installed, using cpu"]);
 * ```
 */
export class StatusLog {
  /** The least level written (`off`: nothing). */
  readonly level: LogLevel;
  #write: (line: string) => void;
  #threshold: number;

  /** `write` takes one line without its newline (default: `console.error`, stderr). */
  constructor(level: LogLevel, write: (line: string) => void = (line) => console.error(line)) {
    this.level = level;
    this.#write = write;
    this.#threshold = LOG_LEVELS.indexOf(level);
  }

  /** Whether a line of `level` is written. */
  enabled(level: LineLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#threshold && this.level !== "off";
  }

  /** Logs a status event of a pipeline at its {@link statusLevel}. */
  status(event: StatusEvent): void {
    const level = statusLevel(event);
    if (!this.enabled(level)) return;
    const { type, at, ...fields } = event;
    this.#line(level, at, { event: type, ...fields });
  }

  /** Logs a warning (a provider skipped, a listener that threw...) at `warn`. */
  warning(message: string): void {
    if (this.enabled("warn")) this.#line("warn", Date.now(), { event: "warning", message });
  }

  /** Logs a line of `event` (e.g. `cluster`) with its fields at `info`. */
  info(event: string, fields: Record<string, unknown>): void {
    if (this.enabled("info")) this.#line("info", Date.now(), { event, ...fields });
  }

  #line(level: LineLevel, at: number, fields: Record<string, unknown>): void {
    this.#write(JSON.stringify({ time: new Date(at).toISOString(), level, ...fields }));
  }
}
