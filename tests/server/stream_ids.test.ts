import assert from "node:assert/strict";
import { resolvePipelineConfig } from "../../src/pipeline/config.ts";
import { api, FASTERRCNN, type Message, startTestServer } from "../_helpers/server.ts";
import { processesWith } from "../_helpers/media.ts";

const opts = { sanitizeOps: true, sanitizeResources: true };
const origin = { name: "a.json", baseDir: "/srv" };

Deno.test(
  'stream ids "." and ".." are refused by POST /streams, and every accepted id can be fetched and deleted by a normal client',
  opts,
  async () => {
    const server = await startTestServer({
      models: { boxes: { manifest: FASTERRCNN } },
      streams: [],
    });
    try {
      for (const id of [".", ".."]) {
        const marker = `testsrc2=size=64x48:rate=5:duration=${id.length}00`;
        const res = await api(server, "POST", "/streams", { id, source: `lavfi:${marker}` });
        assert.equal(res.status, 400, `${JSON.stringify(id)}: ${JSON.stringify(res.json)}`);
        assert.equal(
          res.json.error,
          `POST /streams: id: expected an id other than "." or ".." (URL path segments that ` +
            `clients rewrite), found the string ${JSON.stringify(id)}`,
        );
        assert.deepEqual(await processesWith(marker), [], "no ffmpeg started for it");
      }
      // Ids with dots that URLs keep as they are still work, end to end.
      for (const id of ["...", ".cam", "cam.", "a..b", "-", "_"]) {
        const added = await api(server, "POST", "/streams", {
          id,
          source: "lavfi:testsrc2=size=64x48:rate=5",
        });
        assert.equal(added.status, 201, `${id}: ${JSON.stringify(added.json)}`);
        const got = await api(server, "GET", `/streams/${id}`);
        assert.equal(got.status, 200, id);
        assert.equal(got.json.id, id);
        assert.equal((await api(server, "DELETE", `/streams/${id}`)).status, 204, id);
      }
      assert.deepEqual(
        (await api(server, "GET", "/streams")).json.streams.map((s: Message) => s.id),
        [],
      );
    } finally {
      await server.close();
    }
  },
);

Deno.test('a configuration with a stream or model id "." or ".." is refused, naming the field', () => {
  const models = { m: { manifest: "m/manifest.json" } };
  assert.throws(
    () => resolvePipelineConfig({ models, streams: [{ id: "..", source: "a.mp4" }] }, origin),
    {
      name: "ConfigError",
      message: 'a.json: streams[0].id: expected an id other than "." or ".." (URL path segments ' +
        'that clients rewrite), found the string ".."',
    },
  );
  assert.throws(
    () => resolvePipelineConfig({ models: { ".": models.m } }, origin),
    { name: "ConfigError", message: /^a\.json: models\["\."\]: expected a model id other than/ },
  );
  assert.throws(
    () =>
      resolvePipelineConfig(
        { models, streams: [{ id: "a", source: "a.mp4", model: ".." }] },
        origin,
      ),
    {
      name: "ConfigError",
      message: /^a\.json: streams\[0\]\.model: expected a model id other than/,
    },
  );
  // Unchanged: other characters are refused as before, dots inside an id are fine.
  assert.throws(
    () => resolvePipelineConfig({ models, streams: [{ id: "a/b", source: "a.mp4" }] }, origin),
    { message: /streams\[0\]\.id: expected letters, digits, "_", "\." or "-" \(at most 64\)/ },
  );
  const ok = resolvePipelineConfig({ models, streams: [{ id: "a..b", source: "a.mp4" }] }, origin);
  assert.equal(ok.streams[0].id, "a..b");
});
