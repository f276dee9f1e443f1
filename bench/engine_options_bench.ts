/**
 * ONNX Runtime's memory options against batch size, on the shipped street Mask R-CNN and
 * real demo frames (the graph's uint8 input), 2 intra-op threads: per-frame milliseconds
 * at batch 1 and batch 4 and the process's RSS after the runs, for each option, each in a
 * fresh process (glibc's allocator adapts its thresholds to what a process freed before,
 * so options measured one after the other in one process would see each other's state).
 *
 * Options: the CPU arena on / off; memory patterns off (with the arena off);
 * `session.use_device_allocator_for_initializers`; one session per batch size (a batch of
 * 1 and a batch of 4 never share a session's planned memory). Run alone with
 * `deno run -A bench/engine_options_bench.ts`; part of `deno task bench`.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { demoFrames } from "./demo_frames.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MODEL = `${ROOT}models/street-maskrcnn/model.onnx`;

/** The options compared, by name. */
const OPTIONS: Record<string, ort.InferenceSession.SessionOptions> = {
  "arena on": { enableCpuMemArena: true },
  "arena off": { enableCpuMemArena: false },
  "arena off, memory patterns off": { enableCpuMemArena: false, enableMemPattern: false },
  "arena on, device allocator for initializers": {
    enableCpuMemArena: true,
    extra: { session: { use_device_allocator_for_initializers: "1" } },
  },
};

/** One option in this process: ms per frame at batch 1 and 4, RSS after. */
async function measure(name: string, perBatchSession: boolean): Promise<string> {
  const { frames } = await demoFrames(16, 15, 512, 288);
  const base = OPTIONS[name];
  const create = () =>
    ort.InferenceSession.create(MODEL, {
      executionProviders: ["cpu"],
      intraOpNumThreads: 2,
      graphOptimizationLevel: "all",
      logSeverityLevel: 4,
      ...base,
      extra: {
        ...(base.extra as Record<string, unknown> ?? {}),
        session: {
          ...((base.extra as { session?: Record<string, string> })?.session ?? {}),
          intra_op: { allow_spinning: "0" },
        },
      },
    });
  const shared = await create();
  const perFrame: number[] = [];
  for (const batch of [1, 4]) {
    const session = perBatchSession ? await create() : shared;
    const inputs: ort.Tensor[] = [];
    for (let i = 0; i + batch <= frames.length; i += batch) {
      const bytes = new Uint8Array(batch * 512 * 288 * 3);
      frames.slice(i, i + batch).forEach((f, k) => bytes.set(f.data, k * f.data.length));
      inputs.push(new ort.Tensor("uint8", bytes, [batch, 288, 512, 3]));
    }
    for (let i = 0; i < 2; i++) await session.run({ images: inputs[i % inputs.length] });
    const t0 = performance.now();
    let n = 0;
    for (let round = 0; round < 2; round++) {
      for (const t of inputs) {
        await session.run({ images: t });
        n += batch;
      }
    }
    perFrame.push((performance.now() - t0) / n);
    if (perBatchSession) await session.release();
  }
  await shared.release();
  const rss = Deno.memoryUsage().rss / 2 ** 20;
  return `${perFrame[0].toFixed(1)} ${perFrame[1].toFixed(1)} ${rss.toFixed(0)}`;
}

/**
 * Prints one line per option: batch 1 and batch 4 ms per frame, their ratio, RSS.
 *
 * @example
 * ```ts ignore
 * await engineOptionsBench();
 * ```
 */
export async function engineOptionsBench(): Promise<void> {
  const variants: [string, boolean][] = [
    ...Object.keys(OPTIONS).map((n) => [n, false] as [string, boolean]),
    ["arena on", true],
  ];
  for (const [name, perBatch] of variants) {
    const { stdout, success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-run",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        import.meta.filename!,
        name,
        String(perBatch),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`${name}: ${new TextDecoder().decode(stderr)}`);
    const [one, four, rss] = new TextDecoder().decode(stdout).trim().split(" ").map(Number);
    const label = perBatch ? `${name}, one session per batch size` : name;
    console.log(
      `engine options, ${label}: batch 4 / batch 1 per frame ${(four / one).toFixed(2)}x ` +
        `(${one.toFixed(1)} / ${four.toFixed(1)} ms per frame, RSS ${rss} MiB)`,
    );
  }
}

if (import.meta.main) {
  if (Deno.args.length === 2) console.log(await measure(Deno.args[0], Deno.args[1] === "true"));
  else await engineOptionsBench();
}
