/**
 * What to do about a GPU execution provider that could not start: onnxruntime-node ships
 * the CUDA and TensorRT providers as libraries its install script downloads, and Deno
 * does not run install scripts unless told to.
 *
 * @module
 */

/** The command that installs onnxruntime-node's CUDA provider libraries under Deno. */
export const GPU_INSTALL_COMMAND =
  "ONNXRUNTIME_NODE_INSTALL=cuda12 deno install --allow-scripts=npm:onnxruntime-node";

/**
 * A hint to add to a provider's failure, or `""`: for `cuda` and `tensorrt` whose shared
 * library could not be loaded, whether the provider libraries are missing (`installed`
 * false: Deno skipped the install script; the command that runs it) or present (then
 * the system's CUDA / cuDNN / TensorRT libraries are what is missing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const hint = providerHint("cuda", "Failed to load shared library", false);
 * assert.match(hint, /deno install --allow-scripts=npm:onnxruntime-node/);
 * assert.equal(providerHint("cpu", "whatever", false), "");
 * ```
 */
export function providerHint(provider: string, reason: string, installed: boolean): string {
  if (provider !== "cuda" && provider !== "tensorrt") return "";
  if (!/shared library/i.test(reason)) return "";
  if (!installed) {
    return `onnxruntime-node's ${provider} provider libraries are not installed (Deno does not run its install script): run \`${GPU_INSTALL_COMMAND}\` (or \`deno task gpu-install\`), see docs/gpu.md`;
  }
  return `the provider library is installed but a system library it needs could not be loaded (${
    provider === "cuda" ? "CUDA 12 and cuDNN 9" : "TensorRT 10, CUDA 12 and cuDNN 9"
  }): check LD_LIBRARY_PATH, see docs/gpu.md`;
}

/**
 * Whether onnxruntime-node's CUDA provider library is next to its binding (its install
 * script downloaded it), looked up from the binding's own folder.
 *
 * @example
 * ```ts ignore
 * console.log(await gpuProvidersInstalled()); // false under Deno unless installed
 * ```
 */
export async function gpuProvidersInstalled(): Promise<boolean> {
  try {
    const binding = import.meta.resolve("onnxruntime-node");
    const root = new URL("./", binding).pathname.replace(/\/dist\/.*$/, "/");
    for await (const entry of Deno.readDir(`${root}bin/napi-v6/linux/x64`)) {
      if (entry.name.startsWith("libonnxruntime_providers_cuda")) return true;
    }
  } catch {
    // no such folder: another platform, or no binding
  }
  return false;
}
