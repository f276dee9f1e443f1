import assert from "node:assert/strict";
import { SourceError } from "../../src/errors.ts";
import { ffmpegNotFound, resolveFfmpeg } from "../../src/video/ffmpeg_binary.ts";
import { testFfmpeg } from "../_helpers/media.ts";

const real = await testFfmpeg();

/** A real executable that answers `-version` like an ffmpeg of version `version`. */
async function fakeFfmpeg(path: string, version: string): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\necho "ffmpeg version ${version} Copyright (c) 2000-2024"\necho "libavformat    61.  7.100 / 61.  7.100"\n`,
  );
  await Deno.chmod(path, 0o755);
}

Deno.test("resolveFfmpeg() takes FFMPEG_PATH first and reports the version", async () => {
  const found = await resolveFfmpeg({ env: { FFMPEG_PATH: real.path, PATH: "" } });
  assert.equal(found.origin, "FFMPEG_PATH");
  assert.match(found.version, /^ffmpeg version /);
  assert.ok(found.libavformat[0] >= 58);
});

Deno.test("resolveFfmpeg() refuses an FFMPEG_PATH that does not run, saying so", async () => {
  await assert.rejects(
    () => resolveFfmpeg({ env: { FFMPEG_PATH: "/nonexistent/ffmpeg" } }),
    (e: Error) =>
      e instanceof SourceError &&
      /FFMPEG_PATH=\/nonexistent\/ffmpeg: expected an ffmpeg binary that runs/.test(e.message),
  );
});

Deno.test("resolveFfmpeg() takes ffmpeg on PATH next, then ffmpeg-static, then the npm package", async () => {
  const dir = await Deno.makeTempDir();
  await fakeFfmpeg(`${dir}/bin/ffmpeg`, "7.0-onpath");
  await fakeFfmpeg(`${dir}/node_modules/ffmpeg-static/ffmpeg`, "6.0-static");
  const onPath = await resolveFfmpeg({
    env: { PATH: `/nonexistent:${dir}/bin` },
    searchRoots: [dir],
  });
  assert.deepEqual([onPath.origin, onPath.version, onPath.libavformat], [
    "PATH",
    "ffmpeg version 7.0-onpath",
    [61, 7],
  ]);
  const fromStatic = await resolveFfmpeg({ env: { PATH: "/nonexistent" }, searchRoots: [dir] });
  assert.deepEqual([fromStatic.origin, fromStatic.path], [
    "ffmpeg-static",
    `${dir}/node_modules/ffmpeg-static/ffmpeg`,
  ]);
  const fromNpm = await resolveFfmpeg({
    env: { PATH: "/nonexistent" },
    searchRoots: ["/nonexistent"],
  });
  assert.equal(fromNpm.origin, "@ffmpeg-installer");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a process that may not read PATH's folders still finds ffmpeg there, as a task with a narrow --allow-read does", async () => {
  const dir = await Deno.makeTempDir();
  await fakeFfmpeg(`${dir}/bin/ffmpeg`, "7.0-unreadable");
  const module = new URL("../../src/video/ffmpeg_binary.ts", import.meta.url).href;
  const script = `${dir}/find.ts`;
  await Deno.writeTextFile(
    script,
    `import { resolveFfmpeg } from ${JSON.stringify(module)};\n` +
      `const b = await resolveFfmpeg({ env: { PATH: Deno.env.get("PATH") ?? "" }, searchRoots: [] });\n` +
      `console.log(JSON.stringify([b.origin, b.path, b.version]));\n`,
  );
  // Read access to the repository only (as `deno task bench` has): not to ${dir}/bin.
  const root = new URL("../../", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--allow-read=${root}`, "--allow-run", "--allow-env", script],
    env: { PATH: `${dir}/bin` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), [
    "PATH",
    `${dir}/bin/ffmpeg`,
    "ffmpeg version 7.0-unreadable",
  ]);
});

Deno.test("a missing ffmpeg is an error that says how to get one", () => {
  const error = ffmpegNotFound("no network");
  assert.ok(error instanceof SourceError);
  assert.match(error.message, /no FFMPEG_PATH, no ffmpeg on PATH, no ffmpeg-static binary/);
  assert.match(error.message, /\(no network\)/);
  assert.match(error.message, /set FFMPEG_PATH.*apt-get install ffmpeg.*@ffmpeg-installer\/ffmpeg/);
});
