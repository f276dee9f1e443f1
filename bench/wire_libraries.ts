/**
 * Why the wire layer is written with zod: zod 4, valibot 1 and TypeBox 1 compared on what
 * a wire format needs, in one run (`deno run -A bench/wire_libraries.ts`; not part of
 * `deno task bench`, whose figures are the runtime's). The same result message schema in
 * each: parse speed of a 20-detection result message against `JSON.parse` alone, the
 * issues each reports for the same three mistakes, the size of its JSON Schema output, and
 * the minified size of what a schema with JSON Schema output pulls in. Figures and the
 * choice are in bench/RESULTS.md ("Wire schema library").
 *
 * @module
 */

// The contenders are not dependencies of the project: this script names them inline.
// deno-lint-ignore-file no-import-prefix

import { z } from "npm:zod@4.6.7";
import * as v from "npm:valibot@1.5.0";
import { toJsonSchema } from "npm:@valibot/to-json-schema@1.8.0";
import Type from "npm:typebox@1.4.3";
import { Compile } from "npm:typebox@1.4.3/compile";
import { median } from "../src/stats.ts";

const detection = { box: [10.5, 20.25, 110, 220], classId: 2, label: "person", score: 0.93 };
const message = {
  v: 3,
  type: "result",
  streamId: "cam1",
  model: "street",
  frame: 1234,
  ptsMs: 41133.3,
  width: 1280,
  height: 720,
  detections: Array.from({ length: 20 }, () => detection),
  latency: { decode: 1, wait: 0, batch: 2, preprocess: 1, inference: 20, totalMs: 24 },
  capturedAt: 1765000000000,
  publishedAt: 1765000000024,
  batchSize: 4,
};
const text = JSON.stringify(message);
const broken = { ...message, frame: "4", detections: [{ ...detection, score: 2, extra: 1 }] };

const zodSchema = z.strictObject({
  v: z.literal(2),
  type: z.literal("result"),
  streamId: z.string().min(1),
  model: z.string(),
  frame: z.int().min(0),
  ptsMs: z.number(),
  width: z.int().min(1),
  height: z.int().min(1),
  detections: z.array(z.strictObject({
    box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    classId: z.int(),
    label: z.string(),
    score: z.number().min(0).max(1),
  })),
  latency: z.record(z.string(), z.number()),
  capturedAt: z.number(),
  publishedAt: z.number(),
  batchSize: z.int().min(1),
});

const int = (min?: number) =>
  min === undefined
    ? v.pipe(v.number(), v.integer())
    : v.pipe(v.number(), v.integer(), v.minValue(min));
const valibotSchema = v.strictObject({
  v: v.literal(2),
  type: v.literal("result"),
  streamId: v.pipe(v.string(), v.minLength(1)),
  model: v.string(),
  frame: int(0),
  ptsMs: v.number(),
  width: int(1),
  height: int(1),
  detections: v.array(v.strictObject({
    box: v.tuple([v.number(), v.number(), v.number(), v.number()]),
    classId: int(),
    label: v.string(),
    score: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  })),
  latency: v.record(v.string(), v.number()),
  capturedAt: v.number(),
  publishedAt: v.number(),
  batchSize: int(1),
});

const typeboxSchema = Type.Object({
  v: Type.Literal(2),
  type: Type.Literal("result"),
  streamId: Type.String({ minLength: 1 }),
  model: Type.String(),
  frame: Type.Integer({ minimum: 0 }),
  ptsMs: Type.Number(),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
  detections: Type.Array(Type.Object({
    box: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
    classId: Type.Integer(),
    label: Type.String(),
    score: Type.Number({ minimum: 0, maximum: 1 }),
  }, { additionalProperties: false })),
  latency: Type.Record(Type.String(), Type.Number()),
  capturedAt: Type.Number(),
  publishedAt: Type.Number(),
  batchSize: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });
const typeboxCompiled = Compile(typeboxSchema);

const contenders: [string, () => unknown][] = [
  ["JSON.parse alone", () => JSON.parse(text)],
  ["zod 4 (parse)", () => zodSchema.parse(JSON.parse(text))],
  ["valibot 1 (parse)", () => v.parse(valibotSchema, JSON.parse(text))],
  ["TypeBox 1, compiled (check only)", () => typeboxCompiled.Check(JSON.parse(text))],
];
const rounds = contenders.map(() => [] as number[]);
for (let round = 0; round < 15; round++) {
  contenders.forEach(([, run], k) => {
    const calls = 2000;
    const start = performance.now();
    for (let i = 0; i < calls; i++) run();
    rounds[k].push((performance.now() - start) / calls * 1000);
  });
}
console.log("# parse of a result message with 20 detections, µs (median of 15 rounds)");
const base = median(rounds[0]);
contenders.forEach(([name], k) => {
  const us = median(rounds[k]);
  console.log(`${name}: ${us.toFixed(2)} µs (${(us / base).toFixed(2)}× JSON.parse)`);
});

console.log('\n# issues for: frame "4", score 2, an extra field');
console.log(
  "zod:",
  JSON.stringify(zodSchema.safeParse(broken, { reportInput: true }).error?.issues),
);
console.log(
  "valibot:",
  JSON.stringify(
    v.safeParse(valibotSchema, broken).issues?.map((i) => ({
      path: i.path?.map((p) => p.key),
      expected: i.expected,
      received: i.received,
      message: i.message,
    })),
  ),
);
console.log("typebox:", JSON.stringify([...typeboxCompiled.Errors(broken)]));

console.log("\n# JSON Schema output, characters");
console.log("zod (built in, z.toJSONSchema):", JSON.stringify(z.toJSONSchema(zodSchema)).length);
console.log(
  "valibot (@valibot/to-json-schema):",
  JSON.stringify(toJsonSchema(valibotSchema)).length,
);
console.log("typebox (the schema is JSON Schema):", JSON.stringify(typeboxSchema).length);

console.log("\n# minified bundle of a strict object schema with its JSON Schema output, bytes");
const sources: Record<string, string> = {
  zod:
    `import { z } from "npm:zod@4.6.7"; console.log(z.toJSONSchema(z.strictObject({ a: z.number() })));`,
  valibot:
    `import * as v from "npm:valibot@1.5.0"; import { toJsonSchema } from "npm:@valibot/to-json-schema@1.8.0"; console.log(toJsonSchema(v.strictObject({ a: v.number() })));`,
  typebox:
    `import Type from "npm:typebox@1.4.3"; import { Compile } from "npm:typebox@1.4.3/compile"; console.log(Compile(Type.Object({ a: Type.Number() })).Check({ a: 1 }));`,
};
for (const [name, source] of Object.entries(sources)) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/entry.ts`, source);
    const { success } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--minify", `${dir}/entry.ts`, "-o", `${dir}/out.js`],
      stdout: "null",
      stderr: "null",
    }).output();
    const size = success ? (await Deno.stat(`${dir}/out.js`)).size : NaN;
    console.log(`${name}: ${size}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
