/**
 * The output names of `detect`: unique within a run, and the same whatever the order of
 * the inputs, so that a re-run finds each input's own outputs.
 */

import assert from "node:assert/strict";
import { outputPaths } from "../../src/batch/detect_job.ts";

/** [input, its JSON Lines path] per input, in input order. */
function jsonl(inputs: string[]): [string, string][] {
  const paths = outputPaths(inputs, { outDir: "/out", formats: ["jsonl"] });
  return [...paths.entries()].map(([input, p]) => [input, p.jsonl!]);
}

Deno.test("inputs of the same name in one run keep the folders that tell them apart", () => {
  assert.deepEqual(jsonl(["/v/a/clip.mp4", "/v/b/clip.mp4", "/v/other.mp4"]), [
    ["/v/a/clip.mp4", "/out/a/clip.jsonl"],
    ["/v/b/clip.mp4", "/out/b/clip.jsonl"],
    ["/v/other.mp4", "/out/other.jsonl"],
  ]);
  assert.deepEqual(jsonl(["/v/x/a/clip.mp4", "/v/y/a/clip.mp4", "/v/clip.mkv"]), [
    ["/v/x/a/clip.mp4", "/out/x/a/clip.jsonl"],
    ["/v/y/a/clip.mp4", "/out/y/a/clip.jsonl"],
    ["/v/clip.mkv", "/out/clip.jsonl"],
  ]);
});

Deno.test("an input's output name does not depend on the order of the inputs", () => {
  const inputs = ["/v/a/clip.mp4", "/v/b/clip.mp4", "/w/clip.mov", "/v/a/x.mp4"];
  const names = new Map(jsonl(inputs));
  for (const order of [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]]) {
    const shuffled = order.map((i) => inputs[i]);
    assert.deepEqual(new Map(jsonl(shuffled)), names, shuffled.join(" "));
  }
  assert.equal(new Set(names.values()).size, inputs.length);
});

Deno.test("inputs of one folder that differ only in extension keep it, and names never collide", () => {
  assert.deepEqual(jsonl(["/v/clip.mp4", "/v/clip.mkv"]), [
    ["/v/clip.mp4", "/out/clip.mp4.jsonl"],
    ["/v/clip.mkv", "/out/clip.mkv.jsonl"],
  ]);
  // "clip.mp4" is also the name of the input clip.mp4.avi, and Clip/clip would be one
  // file on a case-insensitive file system: a short hash of the path tells them apart.
  const tricky = ["/v/clip.mp4", "/v/clip.mkv", "/v/clip.mp4.avi", "/v/Clip.ts", "/w/CLIP.ts"];
  const names = jsonl(tricky).map(([, p]) => p.toLowerCase());
  assert.equal(new Set(names).size, tricky.length, names.join(" "));
  assert.ok(names.every((n) => n.startsWith("/out/") && n.endsWith(".jsonl")));
});

Deno.test("each format and the annotated video get the same name", () => {
  const paths = outputPaths(["/v/a/clip.mp4", "/v/b/clip.mp4"], {
    outDir: "/out",
    formats: ["jsonl", "coco"],
    annotate: true,
  });
  assert.deepEqual(paths.get("/v/b/clip.mp4"), {
    jsonl: "/out/b/clip.jsonl",
    coco: "/out/b/clip.coco.json",
    video: "/out/b/clip.annotated.mp4",
  });
});
