/**
 * Real media for the video tests, made by the same ffmpeg the sources run, and a check
 * that no ffmpeg child is left behind.
 *
 * @module
 */

import type { SourceStatus } from "../../src/types.ts";
import { type FfmpegBinary, resolveFfmpeg } from "../../src/video/ffmpeg_binary.ts";

/**
 * The ffmpeg the tests use: FFMPEG_PATH, PATH, or the npm package.
 *
 * @example
 * ```ts ignore
 * const ffmpeg = await testFfmpeg();
 * ```
 */
export function testFfmpeg(): Promise<FfmpegBinary> {
  return resolveFfmpeg({ env: Deno.env.toObject() });
}

/**
 * Runs ffmpeg with `args`; throws with its stderr when it fails.
 *
 * @example
 * ```ts ignore
 * await runFfmpeg(["-f", "lavfi", "-i", "testsrc2", "-frames:v", "1", "out.png"]);
 * ```
 */
export async function runFfmpeg(args: string[]): Promise<void> {
  const ffmpeg = await testFfmpeg();
  const { success, stderr } = await new Deno.Command(ffmpeg.path, {
    args: ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`ffmpeg ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

/** A video to generate from ffmpeg's testsrc2 pattern. */
export interface VideoSpec {
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** Encoder and its options, e.g. `["-c:v", "libx264", "-pix_fmt", "yuv420p"]`. */
  codec: string[];
  /** Extra output options (e.g. `-vf setpts=...` for variable frame rate). */
  extra?: string[];
  /** lavfi pattern (default `testsrc2`; `testsrc` keeps odd sizes). */
  pattern?: string;
}

/**
 * Writes a test-pattern video to `path` and returns the path.
 *
 * @example
 * ```ts ignore
 * const path = await makeVideo(`${dir}/a.mp4`, { width: 320, height: 240, frames: 30, fps: 30, codec: ["-c:v", "libx264"] });
 * ```
 */
export async function makeVideo(path: string, spec: VideoSpec): Promise<string> {
  await runFfmpeg([
    "-f",
    "lavfi",
    "-i",
    `${spec.pattern ?? "testsrc2"}=size=${spec.width}x${spec.height}:rate=${spec.fps}`,
    "-frames:v",
    String(spec.frames),
    ...spec.codec,
    ...(spec.extra ?? []),
    path,
  ]);
  return path;
}

/** Runs a shell script (reading /proc from Deno itself would need --allow-all). */
async function sh(script: string): Promise<string> {
  const { stdout } = await new Deno.Command("sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(stdout);
}

function pids(text: string): number[] {
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Pids of the ffmpeg processes whose parent is this process (from /proc).
 *
 * @example
 * ```ts ignore
 * assertEquals(await ffmpegChildren(), []);
 * ```
 */
export async function ffmpegChildren(): Promise<number[]> {
  return pids(
    await sh(
      `for d in /proc/[0-9]*; do ` +
        `grep -qs "^PPid:[[:space:]]*${Deno.pid}$" $d/status && ` +
        `grep -qs "^Name:[[:space:]]*ffmpeg$" $d/status && echo \${d#/proc/}; done; true`,
    ),
  );
}

/**
 * Pids of the ffmpeg processes (any parent) whose command line contains `marker`.
 *
 * @example
 * ```ts ignore
 * assertEquals(await processesWith("testsrc2=size=123x77"), []);
 * ```
 */
export async function processesWith(marker: string): Promise<number[]> {
  return pids(
    await sh(
      `for d in /proc/[0-9]*; do ` +
        `grep -qs "^Name:[[:space:]]*ffmpeg$" $d/status && ` +
        `grep -qsaF -- '${marker.replace(/'/g, "")}' $d/cmdline && echo \${d#/proc/}; done; true`,
    ),
  );
}

/**
 * A TCP port that was free a moment ago.
 *
 * @example
 * ```ts ignore
 * const port = freePort();
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * The status events a source (any `EventTarget` that emits "status") sends from now on.
 *
 * @example
 * ```ts ignore
 * const events = watch(source);
 * ```
 */
export function watch(source: EventTarget): SourceStatus[] {
  const events: SourceStatus[] = [];
  source.addEventListener("status", (e) => events.push((e as CustomEvent<SourceStatus>).detail));
  return events;
}
