/**
 * Prometheus's own linter on the `/metrics` text of a real `serve` process (the CLI with
 * the task's permissions) after results have flowed. Needs `promtool` (Debian's
 * `prometheus` package, or `PROMTOOL`): without it the test is registered as ignored,
 * unless `STREAMDET_REQUIRE_SERVERS=1` (CI) makes it fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_VIDEO, FASTERRCNN, TestClient } from "../_helpers/server.ts";
import { metricValue, startServerProcess } from "../_helpers/rss.ts";

const PROMTOOL = Deno.env.get("PROMTOOL") || "promtool";
const REQUIRED = Deno.env.get("STREAMDET_REQUIRE_SERVERS") === "1";
const HAVE_PROMTOOL = (() => {
  try {
    return new Deno.Command(PROMTOOL, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

const NAME =
  "the /metrics text of a serving process passes promtool check metrics, with real process metrics and sub-millisecond buckets";

async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(PROMTOOL, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, output: decode(out.stdout) + decode(out.stderr) };
}

async function check(): Promise<void> {
  if (!HAVE_PROMTOOL) {
    throw new Error(
      `STREAMDET_REQUIRE_SERVERS=1 but ${PROMTOOL} cannot run: install Debian's prometheus or set PROMTOOL`,
    );
  }
  const server = await startServerProcess({
    models: { street: { manifest: FASTERRCNN, maxWaitMs: 5 } },
    streams: [{
      id: "file",
      source: DEMO_VIDEO,
      loop: true,
      // The line and zone of pipelines/demo.json: the tracking metrics get samples too.
      lines: [{ name: "crossing", points: [[300, 160], [370, 350]] }],
      zones: [{ name: "road", points: [[280, 197], [560, 193], [600, 333], [180, 337]] }],
    }],
  });
  try {
    const client = await TestClient.connect(server.wsUrl);
    try {
      client.send({ type: "subscribe", streams: ["file"], events: true });
      await client.waitFor(
        (m) => m.type === "result" && client.results("file").length >= 3,
        60_000,
      );
      await client.waitFor((m) => m.type === "line", 60_000);
    } finally {
      await client.close();
    }
    const text = await server.metrics();
    assert.ok(metricValue(text, "streamdet_frames_out_total") >= 3, "results flowed");

    const { code, output } = await promtoolCheck(text);
    assert.equal(code, 0, `promtool check metrics:\n${output}`);

    for (
      const name of [
        "resident_memory_bytes",
        "virtual_memory_bytes",
        "heap_bytes",
        "open_fds",
        "cpu_seconds_total",
        "start_time_seconds",
      ]
    ) {
      const line = new RegExp(`^streamdet_process_${name} (\\S+)$`, "m").exec(text);
      assert.ok(line, `streamdet_process_${name}: expected a sample, found none`);
      assert.ok(Number(line[1]) > 0, `streamdet_process_${name}: expected > 0, found ${line[1]}`);
    }
    const rss = metricValue(text, "streamdet_process_resident_memory_bytes");
    const denoRss = metricValue(text, "streamdet_memory_rss_bytes");
    assert.ok(rss > denoRss / 2 && rss < denoRss * 2, `RSS ${rss}, Deno.memoryUsage ${denoRss}`);
    assert.ok(metricValue(text, "streamdet_process_virtual_memory_bytes") >= rss);
    assert.match(
      text,
      /^streamdet_stage_latency_seconds_bucket\{le="0\.0001",stream="file",model="street",stage="\w+"\} \d+$/m,
    );
    assert.match(text, /^streamdet_end_to_end_latency_seconds_bucket\{le="10",stream="file"/m);
    assert.match(
      text,
      /^streamdet_line_crossings_total\{stream="file",line="crossing",direction="(in|out)",class="\w+"\} [1-9]\d*$/m,
    );
    assert.match(text, /^streamdet_zone_objects\{stream="file",zone="road",class="\w+"\} \d+$/m);
    assert.match(text, /^streamdet_tracks_active\{stream="file"\} \d+$/m);
    assert.ok(metricValue(text, "streamdet_tracks_started_total") > 0, "tracks started");
  } finally {
    await server.close();
  }
}

if (HAVE_PROMTOOL || REQUIRED) {
  Deno.test(NAME, check);
} else {
  Deno.test({ name: `${NAME} (ignored: ${PROMTOOL} is missing)`, ignore: true, fn: check });
}
