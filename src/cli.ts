/**
 * The command line: `demo` (the bundled model on the bundled video, served with the
 * viewer), `serve --config pipelines/<file>`, and `detect <videos...>` (batch). Environment variables are read here
 * and nowhere else: `STREAMDET_TOKEN` (write routes' bearer token), `STREAMDET_LOG` (the
 * status log's level), `FFMPEG_PATH`.
 *
 * @module
 */

import { defaultTuningCache } from "./inference/tuning_cache.ts";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { StreamdetError } from "./errors.ts";
import { loadPipelineConfig } from "./pipeline/load_config.ts";
import { createPipeline } from "./pipeline/pipeline.ts";
import { StatusLog } from "./pipeline/status_log.ts";
import { LOG_LEVELS, type LogLevel } from "./wire/pipeline_config.ts";
import { serve } from "./server/serve.ts";
import { openSinks } from "./sinks/open_sinks.ts";
import { resolveFfmpeg } from "./video/ffmpeg_binary.ts";
import { handOverSignals } from "./video/child_registry.ts";
import { NMS_KINDS, type NmsKind } from "./inference/select_detections.ts";
import { expandInputs } from "./batch/expand_inputs.ts";
import { runDetect } from "./batch/detect_job.ts";
import { loadAnalyticsFile } from "./batch/analytics_file.ts";
import type { AnalyticsFields } from "./pipeline/stream_analytics_config.ts";
import { ProgressBars } from "./batch/progress_bars.ts";
import { ProgressLines } from "./batch/progress_lines.ts";
import { submitDetect } from "./batch/queue_submit.ts";
import { queueFlags, worker } from "./worker_cli.ts";
import { JobQueue } from "./cluster/job_queue.ts";
import { redactUrl } from "./cluster/queue_url.ts";
import { ClusterNode } from "./cluster/cluster_node.ts";
import { clusterSettings, defaultNodeId, nodeCapacity } from "./cluster/node_settings.ts";
import type { ClusterRef } from "./server/app.ts";

const USAGE = `usage:
  deno task demo [--port N]                     the bundled model on the bundled video, with the viewer
  deno task serve --config pipelines/<file> [--port N] [--host H] [--log-level L]
                  [--cluster nats://host:4222 [--node-id ID]]
  deno task detect <videos, folders, globs...> [--out DIR] [--format jsonl,coco] [--annotate [PATH]]
                   [--panoptic] [--model DIR] [--nms KIND] [--score X] [--image-rate R] [--concurrency N] [--force] [--reproducible]
                   [--track] [--analytics FILE]
                   [--queue nats://host:4222 [--max-deliver N] [--ack-wait S]]
  deno task worker --queue nats://host:4222 [--concurrency N] [--root DIR]...

options:
  --config FILE   pipeline configuration (JSON, or a TS module with a default export)
  --port N        port to listen on (overrides the config; 0 = any free port)
  --host H        interface to bind (overrides the config; default 127.0.0.1)
  --log-level L   info, warn, error or off: the JSON lines on stderr about streams and
                  models (overrides STREAMDET_LOG and the config's log.level; default info)
  --cluster URL    cluster mode: share the streams with every node on this NATS server
                  (JetStream on; docs/cluster.md); the config's streams join the cluster's
  --node-id ID     this node's id in the cluster (default: host name and port)
  --help          this text

detect options:
  --out DIR         output folder (default detections/): <name>.jsonl, <name>.coco.json
                    (inputs of the same name keep their folders: a/clip.jsonl, b/clip.jsonl)
  --format LIST     jsonl, coco or both (default jsonl,coco)
  --annotate        also write <name>.annotated.mp4 (--annotate-to PATH for a single input)
  --panoptic        fuse a panoptic map per frame (models with a semantic head): its segments
                    in <name>.jsonl (what eval --panoptic-gt reads) and its colours in the
                    annotated video; off by default, as it costs more CPU than the rest of
                    the post-processing
  --track           track objects (ByteTrack): track ids in <name>.jsonl with track, line
                    and zone events, <name>.mot.txt (MOTChallenge) and <name>.counts.json
  --analytics FILE  tracking parameters, lines and zones (JSON: {"tracking", "lines",
                    "zones"} as a stream of a pipeline configuration has them); implies --track
  --model DIR       model folder or manifest (default models/street-maskrcnn)
  --nms KIND        hard, soft-linear, soft-gaussian, matrix, none (default: the manifest's)
  --score X         score threshold (default: the manifest's)
  --image-rate R    frames per second of image folders and globs (default 25)
  --concurrency N   inputs at once (default 4)
  --force           redo inputs whose outputs exist (default: skip them)
  --reproducible    write the run's timings (latency, capture and publish times, batch size,
                    event times) as zeros: the outputs then depend only on the inputs and
                    options, byte for byte on any machine (also with --queue)
  --queue URL       submit one job per input to the workers of this NATS server (JetStream
                    on) and show their progress; inputs, model and --out must be at the same
                    paths on every worker (a shared mount; docs/distributed-detect.md)
  --max-deliver N   deliveries of a job before it fails (its workers died; default 3)
  --ack-wait S      seconds without a sign of life before a job goes to another worker
                    (sets the queue's; default: as it is, 30 for a new queue)

worker options:
  --queue URL       the NATS server to take detect jobs from (until SIGINT / SIGTERM)
  --concurrency N   jobs at once (default 4)
  --root DIR        only inputs and outputs inside DIR (repeatable; default /)

environment:
  STREAMDET_TOKEN  bearer token of POST/DELETE /streams when the config has none
  STREAMDET_LOG    the log level when --log-level is not given (overrides the config)
  FFMPEG_PATH      the ffmpeg to run (default: ffmpeg on PATH, else the npm one)`;

const DEMO_CONFIG = fileURLToPath(new URL("../pipelines/demo.json", import.meta.url));

/**
 * Runs the command line `args`; resolves with the exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["serve", "--config", "pipelines/files.json"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        "log-level": { type: "string" },
        cluster: { type: "string" },
        "node-id": { type: "string" },
        help: { type: "boolean" },
        out: { type: "string" },
        format: { type: "string" },
        annotate: { type: "boolean" },
        panoptic: { type: "boolean" },
        track: { type: "boolean" },
        analytics: { type: "string" },
        "annotate-to": { type: "string" },
        model: { type: "string" },
        nms: { type: "string" },
        score: { type: "string" },
        "image-rate": { type: "string" },
        concurrency: { type: "string" },
        force: { type: "boolean" },
        reproducible: { type: "boolean" },
        queue: { type: "string" },
        "max-deliver": { type: "string" },
        "ack-wait": { type: "string" },
        root: { type: "string", multiple: true },
      },
    });
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === "detect") return await detect(positionals.slice(1), values);
  if (command === "worker") {
    return await worker(positionals.slice(1), values, (message) => {
      console.error(`error: ${message}\n\n${USAGE}`);
      return 2;
    });
  }
  if (command !== "demo" && command !== "serve") {
    console.error(
      `error: expected the command "demo", "serve", "detect" or "worker", found "${command}"\n\n${USAGE}`,
    );
    return 2;
  }
  const path = command === "demo" ? values.config ?? DEMO_CONFIG : values.config;
  if (!path) {
    console.error(`error: serve needs --config pipelines/<file>\n\n${USAGE}`);
    return 2;
  }
  const levels = LOG_LEVELS.map((l) => `"${l}"`).join(", ");
  const env = Deno.env.get("STREAMDET_LOG") || undefined;
  for (const [name, level] of [["--log-level", values["log-level"]], ["STREAMDET_LOG", env]]) {
    if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
      console.error(`error: ${name}: expected one of ${levels}, found "${level}"\n\n${USAGE}`);
      return 2;
    }
  }
  try {
    const config = await loadPipelineConfig(path);
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`error: --port: expected an integer in [0, 65535], found "${values.port}"`);
        return 2;
      }
      config.server.port = port;
    }
    if (values.host) config.server.hostname = values.host;
    const token = config.server.token ?? Deno.env.get("STREAMDET_TOKEN");
    if (token) config.server.token = token;
    else if (command === "demo") config.server.token = crypto.randomUUID();
    config.log.level = (values["log-level"] ?? env ?? config.log.level) as LogLevel;
    const log = new StatusLog(config.log.level);
    const ffmpeg = await resolveFfmpeg({ env: Deno.env.toObject() });
    handOverSignals();
    const cluster = clusterSettings(config, {
      cluster: values.cluster as string | undefined,
      nodeId: values["node-id"] as string | undefined,
    });
    // In cluster mode the configured streams join the cluster's; nodes run what they claim.
    const seed = cluster ? config.streams : [];
    if (cluster) config.streams = [];
    const pipeline = await createPipeline(config, {
      ffmpeg,
      panoptic: "on-demand",
      log,
      tuningCache: defaultTuningCache(),
    });
    const sinks = await openSinks(config.sinks, pipeline, { env: (name) => Deno.env.get(name) });
    const clusterRef: ClusterRef = {};
    const running = await serve(pipeline, config.server, { cluster: clusterRef });
    if (cluster) {
      const nodeId = cluster.nodeId ?? defaultNodeId(Deno.hostname(), running.port);
      pipeline.metrics.registry.setDefaultLabels({ node: nodeId });
      try {
        clusterRef.node = await ClusterNode.start(pipeline, cluster, {
          nodeId,
          url: running.url,
          capacity: nodeCapacity(cluster.capacity, pipeline.models()),
          seed: seed.map((s) => ({ ...s }) as Record<string, unknown>),
          log: (message) => log.info("cluster", { node: nodeId, message }),
        });
      } catch (error) {
        await running.shutdown();
        throw error;
      }
      running.hub.attachRemote(clusterRef.node.remote);
      console.log(`cluster:   node "${nodeId}" on ${cluster.url}`);
    }
    console.log(`streamdet: serving ${config.streams.length} stream(s) on ${running.url}`);
    console.log(`viewer:    ${running.url}/`);
    console.log(`websocket: ${running.url.replace(/^http/, "ws")}/ws`);
    console.log(`metrics:   ${running.url}/metrics`);
    if (command === "demo") {
      console.log(`write token (POST/DELETE /streams): ${config.server.token}`);
    }
    console.log("Ctrl-C to stop");
    let stopping: Promise<void> | undefined;
    const stop = (signal: string) =>
      stopping ??= (async () => {
        console.log(`\n${signal}: stopping streams and clients...`);
        await clusterRef.node?.close();
        await running.shutdown();
        await Promise.all(sinks.map((s) => s.close()));
        console.log("stopped");
      })();
    Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
    Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
    await running.finished;
    await stopping;
    return 0;
  } catch (error) {
    if (error instanceof StreamdetError || error instanceof Deno.errors.AddrInUse) {
      console.error(`error: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

/** `detect`: batch detection over files; exit 0 when every input is done or skipped, 1 when
 * one failed or is incomplete (truncated: its outputs hold the frames read). With
 * `--queue`, the inputs are jobs for the workers of that queue (same outputs, same exit). */
async function detect(
  args: string[],
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<number> {
  const usage = (message: string) => {
    console.error(`error: ${message}\n\n${USAGE}`);
    return 2;
  };
  if (args.length === 0) return usage("detect needs at least one video, folder or glob");
  const formats = String(values.format ?? "jsonl,coco").split(",").map((f) => f.trim());
  if (formats.some((f) => f !== "jsonl" && f !== "coco")) {
    return usage(`--format: expected jsonl, coco or both, found "${values.format}"`);
  }
  const nms = values.nms as string | undefined;
  if (nms !== undefined && !NMS_KINDS.includes(nms as NmsKind)) {
    return usage(`--nms: expected one of ${NMS_KINDS.join(", ")}, found "${nms}"`);
  }
  const score = values.score === undefined ? undefined : Number(values.score);
  if (score !== undefined && !(score >= 0 && score <= 1)) {
    return usage(`--score: expected a number in [0, 1], found "${values.score}"`);
  }
  const imageRate = values["image-rate"] === undefined ? undefined : Number(values["image-rate"]);
  if (imageRate !== undefined && !(imageRate >= 0.001 && imageRate <= 1000)) {
    return usage(
      `--image-rate: expected a number in [0.001, 1000], found "${values["image-rate"]}"`,
    );
  }
  const concurrency = Number(values.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    return usage(`--concurrency: expected an integer >= 1, found "${values.concurrency}"`);
  }
  const queue = queueFlags(values);
  if (typeof queue === "string") return usage(queue);
  let analytics: AnalyticsFields | undefined;
  let inputs: string[];
  try {
    if (typeof values.analytics === "string") {
      analytics = await loadAnalyticsFile(values.analytics);
    }
    inputs = await expandInputs(args);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  if (values["annotate-to"] && inputs.length > 1) {
    return usage(`--annotate-to: expected a single input, found ${inputs.length}`);
  }
  const model = String(
    values.model ?? fileURLToPath(new URL("../models/street-maskrcnn", import.meta.url)),
  );
  const job = {
    inputs,
    manifest: model.endsWith(".json") ? model : `${model}/manifest.json`,
    outDir: String(values.out ?? "detections"),
    formats: formats as ("jsonl" | "coco")[],
    annotate: (values["annotate-to"] as string | undefined) ?? (values.annotate === true),
    force: values.force === true,
    ...(values.reproducible === true ? { reproducible: true } : {}),
    ...(imageRate === undefined ? {} : { imageRate }),
    track: values.track === true || analytics !== undefined,
    ...(analytics ? { analytics } : {}),
    postprocess: {
      // Panoptic fusion only when asked for (its segments, its colours).
      ...(values.panoptic === true ? {} : { panoptic: false as const }),
      ...(nms ? { nms: nms as NmsKind } : {}),
      ...(score !== undefined ? { scoreThreshold: score } : {}),
    },
  };
  let jobQueue: JobQueue | undefined;
  if (queue) {
    try {
      jobQueue = await JobQueue.connect(queue.url, {
        name: `streamdet detect ${Deno.pid}`,
        ...(queue.ackWaitMs === undefined ? {} : { ackWaitMs: queue.ackWaitMs }),
      });
    } catch (error) {
      console.error(`error: --queue: ${(error as Error).message}`);
      return 1;
    }
    console.error(
      `detect: ${inputs.length} input(s) for the workers of ${redactUrl(queue.url)} ` +
        `(deno task worker --queue ${redactUrl(queue.url)})`,
    );
  }
  const bars = jobQueue && !Deno.stderr.isTerminal()
    ? new ProgressLines(inputs.length)
    : new ProgressBars(inputs.length);
  const controller = new AbortController();
  handOverSignals();
  const onSignal = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let outcomes;
  try {
    outcomes = jobQueue && queue
      ? await submitDetect(
        jobQueue,
        { ...job, maxDeliver: queue.maxDeliver },
        bars,
        controller.signal,
      )
      : await runDetect(
        { ...job, concurrency, tuningCache: defaultTuningCache() },
        await resolveFfmpeg({ env: Deno.env.toObject() }),
        bars,
        controller.signal,
      );
  } catch (error) {
    bars.stop();
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await jobQueue?.close();
  }
  bars.stop();
  for (const o of outcomes) {
    const what = o.status === "failed"
      ? `FAILED: ${o.error}`
      : o.status === "incomplete"
      ? `INCOMPLETE (${o.error}): ${o.frames} frames -> ${o.outputs.join(", ")}`
      : o.status === "skipped"
      ? `skipped (outputs exist; --force to redo): ${o.outputs.join(", ")}`
      : `${o.frames} frames -> ${o.outputs.join(", ")}`;
    console.log(`${o.input}: ${what}`);
  }
  if (controller.signal.aborted) return 130;
  return outcomes.some((o) => o.status === "failed" || o.status === "incomplete") ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
