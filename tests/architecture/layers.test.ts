/**
 * The layering of docs/ARCHITECTURE.md ("Layers"), checked on every import of src/: a
 * layer imports only from the layers below it, and the pure layers use no Deno API and no
 * Node I/O module.
 */

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** What each layer may import (besides itself and npm packages). */
const BASE = ["types.ts", "errors.ts", "clock.ts", "describe.ts", "stats.ts"];
const ALLOWED: Record<string, string[]> = {
  base: ["base"],
  wire: ["base"],
  geometry: ["base"],
  tracking: ["base", "geometry"],
  analytics: ["base", "geometry", "tracking"],
  eval: ["base", "wire", "geometry"],
  video: ["base", "wire", "geometry"],
  inference: ["base", "wire", "geometry"],
  pipeline: ["base", "wire", "geometry", "tracking", "analytics", "video", "inference"],
  sinks: [
    "base",
    "wire",
    "geometry",
    "tracking",
    "analytics",
    "eval",
    "video",
    "inference",
    "pipeline",
  ],
  cluster: [
    "base",
    "wire",
    "geometry",
    "tracking",
    "analytics",
    "video",
    "inference",
    "pipeline",
    "sinks",
  ],
  report: ["base", "wire", "geometry", "eval", "sinks"],
  batch: [
    "base",
    "wire",
    "geometry",
    "tracking",
    "analytics",
    "video",
    "inference",
    "pipeline",
    "sinks",
    "cluster",
  ],
  server: ["base", "wire", "geometry", "tracking", "analytics", "pipeline", "sinks", "cluster"],
  cli: ["*"],
};
const PURE = ["base", "wire", "geometry", "tracking", "analytics", "eval"];

function layerOf(path: string): string {
  const rel = relative(SRC, path);
  if (!rel.includes("/")) {
    return BASE.includes(rel) ? "base" : /cli\.ts$/.test(rel) ? "cli" : `unknown (${rel})`;
  }
  const top = rel.split("/")[0];
  return top in ALLOWED ? top : `unknown (${top}/)`;
}

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** The code without comments (JSDoc examples may use anything). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

const files: { path: string; layer: string; text: string }[] = [];
for await (const path of tsFiles(SRC)) {
  files.push({ path, layer: layerOf(path), text: code(await Deno.readTextFile(path)) });
}

Deno.test("every file of src/ belongs to a layer of the architecture", () => {
  const unknown = files.filter((f) => f.layer.startsWith("unknown"));
  assert.deepEqual(unknown.map((f) => `${relative(SRC, f.path)}: ${f.layer}`), []);
});

Deno.test("each layer imports only from the layers below it", () => {
  const wrong: string[] = [];
  for (const f of files) {
    const allowed = ALLOWED[f.layer] ?? [];
    for (const m of f.text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = layerOf(normalize(join(dirname(f.path), m[1])));
      if (target === f.layer || allowed.includes("*") || allowed.includes(target)) continue;
      wrong.push(`${relative(SRC, f.path)} (${f.layer}) imports ${m[1]} (${target})`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("the pure layers use no Deno API and no Node I/O module", () => {
  const wrong: string[] = [];
  for (const f of files.filter((f) => PURE.includes(f.layer))) {
    if (/\bDeno\./.test(f.text)) wrong.push(`${relative(SRC, f.path)} uses Deno.`);
    for (const m of f.text.matchAll(/from\s*["'](node:[^"']+)["']/g)) {
      wrong.push(`${relative(SRC, f.path)} imports ${m[1]}`);
    }
  }
  assert.deepEqual(wrong, []);
});
