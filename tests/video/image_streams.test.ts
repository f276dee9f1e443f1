/**
 * Image folders and globs as streams of a running server: a folder in the configuration,
 * a folder given to `POST /streams` (one sequence in natural name order, at its
 * `imageRate`), and a glob that holds a symbolic link out of the roots, refused before
 * anything is read.
 */

import assert from "node:assert/strict";
import { api, FASTERRCNN, type Message, startTestServer, TestClient } from "../_helpers/server.ts";
import { runFfmpeg } from "../_helpers/media.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };

/** `name` → size, written as JPEG pictures in `folder`. */
async function pictures(folder: string, sizes: Record<string, string>): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  for (const [name, size] of Object.entries(sizes)) {
    await runFfmpeg([
      ...["-f", "lavfi", "-i", `testsrc2=size=${size}`, "-frames:v", "1"],
      `${folder}/${name}`,
    ]);
  }
}

/** Polls GET /streams/:id (at most 20 s) until a stream failed or `done` says it is done. */
async function streamWhen(
  url: string,
  id: string,
  done: (m: Message) => boolean,
): Promise<Message> {
  let last: Message = {};
  for (let i = 0; i < 400; i++) {
    last = (await api({ url }, "GET", `/streams/${id}`)).json;
    if (last.state === "failed" || done(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id}: not done after 20 s: ${JSON.stringify(last)}`);
}

Deno.test(
  "a folder of images in the configuration is one stream of its images, at its imageRate",
  opts,
  async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "image-streams-" }));
    try {
      await pictures(`${dir}/shots`, {
        "img1.jpg": "64x48",
        "img2.jpg": "64x48",
        "img10.jpg": "64x48",
      });
      const server = await startTestServer({
        models: { street: { manifest: FASTERRCNN } },
        streams: [{ id: "shots", source: `${dir}/shots`, imageRate: 5 }],
      });
      try {
        const info = await streamWhen(
          server.url,
          "shots",
          (m) => m.state === "ended" && m.stats.published === 3,
        );
        assert.equal(info.state, "ended", info.reason);
        assert.equal(info.input.fps, 5);
        assert.equal(info.stats.decoded, 3);
        assert.equal(info.stats.published, 3);
      } finally {
        await server.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "a folder given to POST /streams is one sequence in natural name order, each frame at its own size",
  opts,
  async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "image-streams-" }));
    const server = await startTestServer({
      models: { street: { manifest: FASTERRCNN } },
      streams: [],
    });
    try {
      await pictures(`${dir}/shots`, {
        "img1.jpg": "64x48",
        "img2.jpg": "96x72",
        "img10.jpg": "80x60",
      });
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: "subscribe", streams: "*" });
      await client.waitFor((m) => m.type === "subscribed");
      const added = await api(server, "POST", "/streams", {
        id: "posted",
        source: `${dir}/shots`,
        imageRate: 10,
      });
      assert.equal(added.status, 201, JSON.stringify(added.json));
      await client.waitFor((m) =>
        m.type === "status" && m.streamId === "posted" && m.state === "ended"
      );
      await streamWhen(server.url, "posted", (m) => m.stats.published === 3);
      await client.waitFor(() => client.results("posted").length === 3);
      const results = client.results("posted");
      assert.deepEqual(results.map((m) => m.frame), [0, 1, 2]);
      assert.deepEqual(results.map((m) => m.ptsMs), [0, 100, 200]);
      assert.deepEqual(results.map((m) => `${m.width}x${m.height}`), ["64x48", "96x72", "80x60"]);
      const glob = await api(server, "POST", "/streams", {
        id: "glob",
        source: `${dir}/shots/img1*.jpg`,
      });
      assert.equal(glob.status, 201, JSON.stringify(glob.json));
      await client.waitFor((m) =>
        m.type === "status" && m.streamId === "glob" && m.state === "ended"
      );
      await streamWhen(server.url, "glob", (m) => m.stats.published === 2);
      await client.waitFor(() => client.results("glob").length === 2);
      assert.deepEqual(client.results("glob").map((m) => m.width), [64, 80]);
      assert.deepEqual(client.results("glob").map((m) => m.ptsMs), [0, 40]);
      await client.close();
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "POST /streams refuses a glob of images with a link out of the roots, naming the link, and an empty folder",
  opts,
  async () => {
    // The test server's roots are the repository and /tmp: "outside" is neither.
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "image-streams-" }));
    const outside = await Deno.realPath(
      await Deno.makeTempDir({ dir: "/var/tmp", prefix: "image-outside-" }),
    );
    const server = await startTestServer({
      models: { street: { manifest: FASTERRCNN } },
      streams: [],
    });
    try {
      await pictures(`${dir}/imgs`, { "a.jpg": "64x48" });
      await pictures(outside, { "secret.jpg": "64x48" });
      await Deno.symlink(`${outside}/secret.jpg`, `${dir}/imgs/b.jpg`);
      for (const source of [`${dir}/imgs/*.jpg`, `${dir}/imgs`]) {
        const res = await api(server, "POST", "/streams", { id: "escape", source });
        assert.equal(res.status, 400, JSON.stringify(res.json));
        assert.match(res.json.error, new RegExp(`${dir}/imgs/b\\.jpg.*outside`));
      }
      await Deno.mkdir(`${dir}/empty`);
      const empty = await api(server, "POST", "/streams", { id: "empty", source: `${dir}/empty` });
      assert.equal(empty.status, 400);
      assert.match(empty.json.error, /expected images \(jpg, .*\), found none/);
      assert.deepEqual((await api(server, "GET", "/streams")).json.streams, []);
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    }
  },
);
