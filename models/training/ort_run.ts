/**
 * Runs an ONNX graph in onnxruntime-node (the runtime's engine) on inputs given as .npy
 * files and writes each output as OUT_DIR/<name>.npy: how the Python export scripts check a
 * graph against PyTorch, Debian's Python having no onnxruntime. Run from the repository
 * root (solov2_export.py does it for you):
 *
 *     deno run -A models/training/ort_run.ts model.onnx OUT_DIR images=/tmp/frames.npy
 *
 * Inputs and outputs may be uint8, float32 or int64, C order, little-endian.
 *
 * @module
 */

import * as ort from "onnxruntime-node";

type Data = Uint8Array | Float32Array | BigInt64Array;
const DESCR: Record<string, [string, (b: ArrayBuffer) => Data]> = {
  "|u1": ["uint8", (b) => new Uint8Array(b)],
  "<f4": ["float32", (b) => new Float32Array(b)],
  "<i8": ["int64", (b) => new BigInt64Array(b)],
};

/**
 * Reads a .npy file (format 1.0 to 3.0; uint8, float32 or int64; C order).
 *
 * @example
 * ```ts
 * const t = readNpy(Deno.readFileSync("/tmp/frames.npy"), "/tmp/frames.npy");
 * console.log(t.type, t.dims);
 * ```
 */
export function readNpy(bytes: Uint8Array, where: string): ort.Tensor {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== "\x93NUMPY") {
    throw new Error(
      `ort_run.ts: ${where}: expected a .npy file, found magic ${JSON.stringify(magic)}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? "";
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "").split(",").map((s) => s.trim())
    .filter((s) => s !== "").map(Number);
  if (!(descr in DESCR) || fortran) {
    throw new Error(
      `ort_run.ts: ${where}: expected a C-order array of ${
        Object.keys(DESCR).join(", ")
      }, found descr ${descr}${fortran ? " in Fortran order" : ""}`,
    );
  }
  const [type, make] = DESCR[descr];
  const body = bytes.slice(start + headerLength);
  return new ort.Tensor(type as "float32", make(body.buffer) as Float32Array, shape);
}

/**
 * A .npy file (format 1.0) of an onnxruntime output.
 *
 * @example
 * ```ts
 * import * as ort from "onnxruntime-node";
 * const npy = writeNpy(new ort.Tensor("float32", new Float32Array(4), [2, 2]));
 * console.log(npy.length); // 144: a 128-byte header and 16 bytes of data
 * ```
 */
export function writeNpy(tensor: ort.Tensor): Uint8Array {
  const descr = Object.entries(DESCR).find(([, [type]]) => type === tensor.type)?.[0];
  if (descr === undefined) {
    throw new Error(
      `ort_run.ts: output: expected ${Object.keys(DESCR).join(", ")}, found ${tensor.type}`,
    );
  }
  const dims = tensor.dims.length === 1 ? `${tensor.dims[0]},` : tensor.dims.join(", ");
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
  const data = tensor.data as Data;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

if (import.meta.main) {
  const [model, outDir, ...pairs] = Deno.args;
  if (!model || !outDir || pairs.length === 0 || pairs.some((p) => !p.includes("="))) {
    throw new Error(
      `ort_run.ts: arguments: expected MODEL.onnx OUT_DIR NAME=FILE.npy..., found ${
        JSON.stringify(Deno.args)
      }`,
    );
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const pair of pairs) {
    const [name, file] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
    feeds[name] = readNpy(Deno.readFileSync(file), file);
  }
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const result = await session.run(feeds);
  Deno.mkdirSync(outDir, { recursive: true });
  for (const [name, tensor] of Object.entries(result)) {
    Deno.writeFileSync(`${outDir}/${name}.npy`, writeNpy(tensor));
  }
  await session.release();
  console.log(`ort_run.ts: ${Object.keys(result).length} outputs -> ${outDir}`);
}
