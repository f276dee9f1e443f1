/**
 * The V8 heap's metrics, with the names prom-client's default collectors gave them (both
 * sources read real values under Deno).
 *
 * @module
 */

import client from "prom-client";
import v8 from "node:v8";

/**
 * Registers the V8 heap's metrics in `registry` under prom-client's names (after `prefix`):
 * `nodejs_heap_size_total_bytes`, `nodejs_heap_size_used_bytes`,
 * `nodejs_external_memory_bytes` from `Deno.memoryUsage()`, and
 * `nodejs_heap_space_size_{total,used,available}_bytes{space}` from
 * `v8.getHeapSpaceStatistics()`, read when the registry is collected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import client from "prom-client";
 * const registry = new client.Registry();
 * registerHeapMetrics(registry, "demo_");
 * const text = await registry.metrics();
 * assert.match(text, /^demo_nodejs_heap_size_used_bytes [1-9]\d*$/m);
 * assert.match(text, /^demo_nodejs_heap_space_size_used_bytes\{space="old"\} [1-9]\d*$/m);
 * ```
 */
export function registerHeapMetrics(registry: client.Registry, prefix = ""): void {
  const registers = [registry];
  const memory = (name: string, help: string, pick: (m: Deno.MemoryUsage) => number) =>
    new client.Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.set(pick(Deno.memoryUsage()));
      },
    });
  memory("nodejs_heap_size_total_bytes", "V8 heap size in bytes", (m) => m.heapTotal);
  memory("nodejs_heap_size_used_bytes", "V8 heap used in bytes", (m) => m.heapUsed);
  memory(
    "nodejs_external_memory_bytes",
    "Memory held outside the V8 heap in bytes",
    (m) => m.external,
  );
  const spaces = (kind: "total" | "used" | "available", pick: (s: v8.HeapSpaceInfo) => number) =>
    new client.Gauge({
      name: `${prefix}nodejs_heap_space_size_${kind}_bytes`,
      help: `V8 heap space size ${kind} in bytes, per space`,
      labelNames: ["space"],
      registers,
      collect() {
        for (const space of v8.getHeapSpaceStatistics()) {
          this.set({ space: space.space_name.replace(/_space$/, "") }, pick(space));
        }
      },
    });
  spaces("total", (s) => s.space_size);
  spaces("used", (s) => s.space_used_size);
  spaces("available", (s) => s.space_available_size);
}
