import assert from "node:assert/strict";
import client from "prom-client";
import { fileURLToPath } from "node:url";
import {
  parseProc,
  procAccess,
  registerProcessMetrics,
} from "../../src/pipeline/process_metrics.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = new URL("../../src/pipeline/process_metrics.ts", import.meta.url).href;

/** The value of an unlabelled sample, `undefined` when the text has none. */
function sample(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

function required(text: string, name: string): number {
  const value = sample(text, name);
  assert.ok(value !== undefined, `${name}: expected a sample, found none in\n${text}`);
  return value;
}

/** Runs a script with only `flags` as permissions; resolves with the registry's text. */
async function metricsUnder(flags: string[]): Promise<{ access: string; text: string }> {
  const script = `
    import client from "prom-client";
    import { registerProcessMetrics } from "${MODULE}";
    const registry = new client.Registry();
    const access = registerProcessMetrics(registry, { prefix: "t_" });
    console.log(JSON.stringify({ access, text: await registry.metrics() }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(out.code, 0, decode(out.stderr));
  return JSON.parse(decode(out.stdout));
}

Deno.test("the process metrics read real values: resident memory as Deno reports it, open descriptors that grow as files are opened", async () => {
  const registry = new client.Registry();
  const access = registerProcessMetrics(registry, { prefix: "streamdet_", maxAgeMs: 0 });
  assert.notEqual(access, "none", "the tests run with --allow-run: /proc is readable");

  const before = await registry.metrics();
  const rss = required(before, "streamdet_process_resident_memory_bytes");
  const denoRss = Deno.memoryUsage().rss;
  assert.ok(rss > denoRss / 2 && rss < denoRss * 2, `RSS ${rss}, Deno says ${denoRss}`);
  const virtual = required(before, "streamdet_process_virtual_memory_bytes");
  assert.ok(virtual >= rss, `virtual ${virtual} >= resident ${rss}`);
  const heap = required(before, "streamdet_process_heap_bytes");
  assert.ok(heap > 0 && heap <= virtual, `heap ${heap} in (0, ${virtual}]`);
  const fds = required(before, "streamdet_process_open_fds");
  assert.ok(fds > 2, `open fds ${fds}: at least stdin, stdout, stderr`);
  const maxFds = sample(before, "streamdet_process_max_fds");
  if (maxFds !== undefined) assert.ok(maxFds >= fds, `max fds ${maxFds} >= open ${fds}`);
  assert.ok(required(before, "streamdet_process_cpu_seconds_total") > 0);
  const start = required(before, "streamdet_process_start_time_seconds");
  const now = Date.now() / 1000;
  assert.ok(start <= now && start > now - 3600, `start ${start}, now ${now}`);

  const dir = await Deno.makeTempDir();
  const files: Deno.FsFile[] = [];
  try {
    for (let i = 0; i < 16; i++) {
      files.push(await Deno.open(`${dir}/${i}`, { write: true, create: true }));
    }
    const opened = required(await registry.metrics(), "streamdet_process_open_fds");
    assert.ok(opened >= fds + 16, `open fds ${opened} after opening 16 files, ${fds} before`);
  } finally {
    for (const f of files) f.close();
    await Deno.remove(dir, { recursive: true });
  }
  const closed = required(await registry.metrics(), "streamdet_process_open_fds");
  assert.ok(closed <= fds + 2, `open fds ${closed} after closing them, ${fds} before`);

  let busy = 0;
  const until = performance.now() + 100;
  while (performance.now() < until) busy++;
  const cpuAfter = required(await registry.metrics(), "streamdet_process_cpu_seconds_total");
  assert.ok(
    cpuAfter >= required(before, "streamdet_process_cpu_seconds_total") + 0.05,
    `CPU ${cpuAfter} s after 100 ms of work (${busy} turns)`,
  );
});

Deno.test("under --allow-all the process metrics are read from /proc/self itself", async () => {
  const { access, text } = await metricsUnder(["--allow-all"]);
  assert.equal(access, "direct");
  for (const name of ["virtual_memory_bytes", "heap_bytes", "open_fds", "resident_memory_bytes"]) {
    assert.ok(required(text, `t_process_${name}`) > 0, `t_process_${name} > 0`);
  }
});

Deno.test("without --allow-all or --allow-run the /proc metrics are not exported rather than read as 0", async () => {
  const { access, text } = await metricsUnder(["--allow-read", "--allow-env"]);
  assert.equal(access, "none");
  for (const name of ["virtual_memory_bytes", "heap_bytes", "open_fds", "max_fds"]) {
    assert.doesNotMatch(text, new RegExp(`t_process_${name}`));
  }
  assert.ok(required(text, "t_process_resident_memory_bytes") > 1e6);
  assert.ok(required(text, "t_process_cpu_seconds_total") > 0);
});

Deno.test("a /proc entry is parsed by field name, an unlimited descriptor limit gives no maximum, and a missing field is an error", () => {
  const status = "Name:\tdeno\nVmPeak:\t 9999 kB\nVmSize:\t  4096 kB\nVmData:\t  1024 kB\n";
  const limits = "Limit                     Soft Limit           Hard Limit           Units\n" +
    "Max open files            unlimited            unlimited            files\n";
  assert.deepEqual(parseProc(status, limits, 7), {
    virtualBytes: 4096 * 1024,
    dataBytes: 1024 * 1024,
    openFds: 7,
    maxFds: undefined,
  });
  assert.throws(
    () => parseProc("Name:\tdeno\n", limits, 7),
    /\/proc status: VmSize: expected "<n> kB", found nothing/,
  );
  assert.ok(["direct", "child", "none"].includes(procAccess()));
});
