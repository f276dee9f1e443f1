/**
 * The post-processing worker: turns a batch's raw outputs into each image's detections
 * (selection, mask pasting, panoptic fusion) on its own thread, while the inference
 * worker that sent them (over a `MessagePort`) already runs the next batch. Started by
 * `WorkerSession`; takes {@link PostRequest}s and answers the main thread with
 * {@link PostReply}s.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { now } from "../clock.ts";
import type { ModelManifest } from "./manifest.ts";
import { postprocess, type PostprocessTiming } from "./postprocess.ts";
import { splitRawOutputs } from "./raw_outputs.ts";
import { fromWire, type PostReply, type PostRequest } from "./worker_protocol.ts";

let manifest: ModelManifest | undefined;
let port: MessagePort | undefined;

function reply(message: PostReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function onRequest(request: PostRequest): void {
  if (request.kind === "manifest") {
    manifest = request.manifest;
  } else if (request.kind === "post") {
    const { id, outputs, batch, post } = request;
    try {
      if (!manifest) throw new Error("post-processing worker: no manifest yet");
      const t0 = now();
      const tensors = Object.fromEntries(
        Object.entries(outputs).map(([name, t]) => [name, { data: fromWire(t), dims: t.dims }]),
      );
      const raws = splitRawOutputs(tensors, batch, manifest);
      const stages: PostprocessTiming[] = post.geometries.map(() => ({ postMs: 0, fusionMs: 0 }));
      const noFusion = { ...post.options, panoptic: false as const };
      const detections = post.geometries.map((g, i) =>
        postprocess(raws[i], g, post.fusion?.[i] === false ? noFusion : post.options, stages[i])
      );
      // A panoptic map (4 bytes a source pixel, made afresh by each fusion) moves to the
      // main thread instead of being copied there.
      const maps = detections.flatMap((d) =>
        d.panoptic ? [d.panoptic.segmentIds.buffer as ArrayBuffer] : []
      );
      reply({ kind: "posted", id, detections, postMs: now() - t0, stages }, maps);
    } catch (error) {
      reply({
        kind: "post-error",
        id,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  } else if (request.kind === "close") {
    port?.close();
    self.close();
  }
}

self.onmessage = (event: MessageEvent<PostRequest>) => {
  const request = event.data;
  if (request.kind === "connect") {
    port = request.port;
    port.onmessage = (e: MessageEvent<PostRequest>) => onRequest(e.data);
  } else onRequest(request);
};
