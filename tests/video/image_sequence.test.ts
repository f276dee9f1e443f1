/**
 * Image folders and globs as one video: one ffmpeg for the whole sequence, in natural
 * name order, at the stream's image rate, with pictures of several sizes, looped; and
 * every image checked against the root folders before ffmpeg opens it, symbolic links
 * included.
 */

import assert from "node:assert/strict";
import { checkSource } from "../../src/pipeline/check_source.ts";
import type { Frame } from "../../src/types.ts";
import { isFfmpeg44 } from "../../src/video/ffmpeg_args.ts";
import { FrameSource, type FrameSourceOptions } from "../../src/video/frame_source.ts";
import { parseSourceInput } from "../../src/video/source_spec.ts";
import { runFfmpeg, testFfmpeg } from "../_helpers/media.ts";

const ffmpeg = await testFfmpeg();

/** One picture of one colour, `size` as ffmpeg writes it (`64x48`). */
function picture(path: string, color: string, size = "64x48"): Promise<void> {
  return runFfmpeg(["-f", "lavfi", "-i", `color=c=${color}:size=${size}`, "-frames:v", "1", path]);
}

function source(
  input: FrameSourceOptions["input"],
  roots: string[],
  extra: Partial<FrameSourceOptions> = {},
) {
  return new FrameSource({
    streamId: "images",
    input,
    ffmpeg,
    output: { fit: "native" },
    roots,
    ...extra,
  });
}

async function readAll(s: FrameSource): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of s.frames()) frames.push(frame);
  return frames;
}

/** The colour of a frame's centre pixel: the channel that is brightest. */
function colourOf(frame: Frame): string {
  const i = (Math.floor(frame.height / 2) * frame.width + Math.floor(frame.width / 2)) * 3;
  const [r, g, b] = frame.data.subarray(i, i + 3);
  return r > 128 && g < 64 && b < 64
    ? "red"
    : g > 100 && r < 64 && b < 64
    ? "green"
    : b > 128 && r < 64 && g < 64
    ? "blue"
    : r > 200 && g > 200 && b > 200
    ? "white"
    : `rgb(${r},${g},${b})`;
}

/**
 * Runs `test` in a new root folder, with the temporary folders of the sources in
 * `<root>/tmp`, which must be empty at the end: a source's links to its images go with it.
 */
async function withRoot(test: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "image-sequence-" }));
  const tmp = Deno.env.get("TMPDIR");
  await Deno.mkdir(`${root}/tmp`);
  Deno.env.set("TMPDIR", `${root}/tmp`);
  try {
    await test(root);
    const left = await Array.fromAsync(Deno.readDir(`${root}/tmp`));
    assert.deepEqual(left.map((e) => e.name), [], "temporary folders left behind");
  } finally {
    if (tmp === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", tmp);
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("a folder given as a path string is one sequence of its images, not a file that ffmpeg cannot read", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/shots`);
    for (const [i, color] of ["red", "green", "blue"].entries()) {
      await picture(`${root}/shots/img${i}.jpg`, color);
    }
    assert.equal(parseSourceInput(`${root}/shots`).kind, "images");
    const frames = await readAll(source(`${root}/shots`, [root]));
    assert.deepEqual(frames.map(colourOf), ["red", "green", "blue"]);
    assert.deepEqual(frames.map((f) => f.index), [0, 1, 2]);
  });
});

Deno.test("images come in natural name order: img2 before img10", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/shots`);
    await picture(`${root}/shots/img1.png`, "red");
    await picture(`${root}/shots/img2.png`, "green");
    await picture(`${root}/shots/img10.png`, "blue");
    for (const input of [`${root}/shots`, `${root}/shots/img*.png`]) {
      const frames = await readAll(source(input, [root]));
      assert.deepEqual(frames.map(colourOf), ["red", "green", "blue"], input);
    }
  });
});

Deno.test("images are timed at 25 frames per second unless the source says another rate", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/shots`);
    for (const [i, color] of ["red", "green", "blue"].entries()) {
      await picture(`${root}/shots/${i}.png`, color);
    }
    const started = source(`${root}/shots`, [root]);
    assert.equal((await started.start()).input.fps, 25);
    await started.stop();
    const frames = await readAll(source(`${root}/shots/*.png`, [root]));
    assert.deepEqual(frames.map((f) => f.ptsMs), [0, 40, 80]);
    const slow = source({ kind: "images", path: `${root}/shots`, fps: 5 }, [root]);
    assert.deepEqual((await readAll(slow)).map((f) => f.ptsMs), [0, 200, 400]);
    assert.equal(slow.info?.input.fps, 5);
  });
});

Deno.test("images of several sizes are one sequence, each frame at its own size and geometry", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/shots`);
    const sizes = ["64x48", "32x24", "32x24", "80x60"];
    for (const [i, size] of sizes.entries()) {
      await picture(`${root}/shots/img${i}.jpg`, "white", size);
    }
    const letterboxed = await readAll(
      source(`${root}/shots`, [root], { output: { fit: "letterbox", width: 64, height: 64 } }),
    );
    assert.deepEqual(
      letterboxed.map((f) => `${f.geometry.sourceWidth}x${f.geometry.sourceHeight}`),
      sizes,
    );
    assert.deepEqual(letterboxed.map((f) => [f.width, f.height]), sizes.map(() => [64, 64]));
    assert.deepEqual(letterboxed.map((f) => f.geometry.scaledWidth), [64, 64, 64, 64]);
    assert.deepEqual(letterboxed.map((f) => f.geometry.scaledHeight), [48, 48, 48, 48]);
    const statuses: string[] = [];
    const native = source(`${root}/shots/*.jpg`, [root]);
    native.addEventListener("status", (e) => {
      const reason = (e as CustomEvent).detail.reason;
      if (reason) statuses.push(reason);
    });
    const frames = await readAll(native);
    assert.equal(frames.length, 4);
    if (isFfmpeg44(ffmpeg)) {
      // From ffmpeg 4.4, native frames keep their own size (before, the first one's).
      assert.deepEqual(frames.map((f) => `${f.width}x${f.height}`), sizes);
    }
    for (const frame of frames) {
      assert.equal(frame.data.length, frame.width * frame.height * 3);
      assert.equal(frame.geometry.width, frame.width);
      assert.equal(colourOf(frame), "white");
    }
    assert.ok(statuses.some((r) => /changed size/.test(r)), statuses.join("; "));
  });
});

Deno.test("a looping folder starts again at its first image, with its links to the images while it runs", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/shots`);
    await picture(`${root}/shots/a.png`, "red");
    await picture(`${root}/shots/b.png`, "blue");
    const s = source(`${root}/shots`, [root], {
      loop: true,
      realtime: false,
      policy: "lossless",
    });
    const colours: string[] = [];
    for await (const frame of s.frames()) {
      colours.push(colourOf(frame));
      if (colours.length === 1) {
        const links = await Array.fromAsync(Deno.readDir(`${root}/tmp`));
        assert.deepEqual(links.map((e) => e.name.replace(/-.*/, "")), ["streamdet"]);
      }
      if (colours.length === 5) break;
    }
    assert.deepEqual(colours, ["red", "blue", "red", "blue", "red"]);
  });
});

Deno.test("a glob entry that is a symbolic link out of the roots is refused, naming it, and nothing is decoded", async () => {
  await withRoot(async (root) => {
    const outside = await Deno.makeTempDir({ dir: `${root}/..`, prefix: "image-outside-" });
    try {
      await picture(`${outside}/secret.jpg`, "blue");
      await Deno.mkdir(`${root}/imgs`);
      await picture(`${root}/imgs/a.jpg`, "red");
      await Deno.symlink(`${outside}/secret.jpg`, `${root}/imgs/b.jpg`);
      for (const input of [`${root}/imgs/*.jpg`, `${root}/imgs`]) {
        await assert.rejects(
          checkSource(input, [root]),
          (e: Error) => e.message.includes(`${root}/imgs/b.jpg`) && /outside/.test(e.message),
          input,
        );
        const s = source(input, [root]);
        const frames: Frame[] = [];
        await assert.rejects(async () => {
          for await (const frame of s.frames()) frames.push(frame);
        }, /imgs\/b\.jpg.*outside/);
        assert.equal(frames.length, 0, `${input}: decoded ${frames.map(colourOf)}`);
      }
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("a symbolic link inside the roots to an image inside the roots is read", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/imgs`);
    await Deno.mkdir(`${root}/elsewhere`);
    await picture(`${root}/imgs/a.jpg`, "red");
    await picture(`${root}/elsewhere/b.jpg`, "blue");
    await Deno.symlink(`${root}/elsewhere/b.jpg`, `${root}/imgs/b.jpg`);
    await checkSource(`${root}/imgs/*.jpg`, [root]);
    const frames = await readAll(source(`${root}/imgs/*.jpg`, [root]));
    assert.deepEqual(frames.map(colourOf), ["red", "blue"]);
  });
});

Deno.test("file names that ffmpeg's image reader would take as patterns (%d, globs) are read as they are", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/imgs`);
    await picture(`${root}/imgs/x%d.jpg`, "red");
    await picture(`${root}/imgs/[a]*.jpg`, "green");
    await picture(`${root}/imgs/it's 1.jpg`, "blue");
    const frames = await readAll(source(`${root}/imgs`, [root]));
    assert.deepEqual(frames.map(colourOf), ["green", "blue", "red"]);
  });
});
