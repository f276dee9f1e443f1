import assert from "node:assert/strict";
import { SourceError } from "../../src/errors.ts";
import {
  confineToRoots,
  parseSourceInput,
  protocolWhitelist,
} from "../../src/video/source_spec.ts";

Deno.test("parseSourceInput() tells URLs, cameras, patterns, globs, folders and files apart", () => {
  assert.deepEqual(parseSourceInput("rtsps://user:pw@cam/1"), {
    kind: "url",
    url: "rtsps://user:pw@cam/1",
  });
  assert.deepEqual(parseSourceInput("https://host/live/index.m3u8").kind, "url");
  assert.deepEqual(parseSourceInput("/dev/video2"), { kind: "v4l2", device: "/dev/video2" });
  assert.deepEqual(parseSourceInput("lavfi:smptebars"), { kind: "lavfi", graph: "smptebars" });
  assert.deepEqual(parseSourceInput("shots/*.png"), { kind: "images", path: "shots/*.png" });
  assert.deepEqual(parseSourceInput("shots", true), { kind: "images", path: "shots" });
  assert.deepEqual(parseSourceInput("clips/[1].mp4"), { kind: "file", path: "clips/[1].mp4" });
  assert.throws(() => parseSourceInput(""), TypeError);
});

Deno.test("protocolWhitelist() gives each URL scheme only the protocols it needs", () => {
  const cases: [string, string][] = [
    ["rtsp://cam/1", "rtsp,rtp,udp,tcp"],
    ["rtmp://host/app/key", "rtmp,tcp"],
    ["http://host/live.ts", "http,tcp,crypto"],
    ["https://host/index.m3u8", "https,http,tcp,tls,crypto"],
    ["udp://0.0.0.0:1234", "udp,rtp"],
    ["srt://host:9000", "srt,udp"],
  ];
  for (const [url, expected] of cases) {
    assert.equal(protocolWhitelist({ kind: "url", url }), expected);
  }
  assert.equal(protocolWhitelist({ kind: "file", path: "a.mp4" }), "file");
});

Deno.test("protocolWhitelist() refuses other schemes and nested protocols", () => {
  for (
    const url of [
      "ftp://host/a.mp4",
      "file:///etc/passwd",
      "concat:a|b",
      "http://host/subfile:x",
      "tee://x",
    ]
  ) {
    assert.throws(() => protocolWhitelist({ kind: "url", url }), SourceError, url);
  }
  assert.throws(
    () => protocolWhitelist({ kind: "v4l2", device: "/etc/passwd" }),
    /expected \/dev\/videoN/,
  );
});

Deno.test("protocolWhitelist() accepts synthetic lavfi sources only", () => {
  assert.equal(
    protocolWhitelist({ kind: "lavfi", graph: "testsrc2=size=640x360:rate=30:duration=5" }),
    "file",
  );
  for (
    const graph of [
      "movie=/etc/passwd",
      "amovie=x.wav",
      "testsrc;movie=x",
      "testsrc,scale=2",
      "nullsrc[out]",
    ]
  ) {
    assert.throws(
      () => protocolWhitelist({ kind: "lavfi", graph }),
      /lavfi: expected one synthetic source filter/,
    );
  }
});

Deno.test("confineToRoots() follows symbolic links and refuses paths that leave the roots", async () => {
  const root = await Deno.makeTempDir(), outside = await Deno.makeTempDir();
  await Deno.writeTextFile(`${outside}/secret.mp4`, "x");
  await Deno.writeTextFile(`${root}/ok.mp4`, "x");
  await Deno.symlink(`${outside}/secret.mp4`, `${root}/link.mp4`);
  assert.equal(
    await confineToRoots(`${root}/ok.mp4`, [root]),
    await Deno.realPath(`${root}/ok.mp4`),
  );
  await assert.rejects(
    () => confineToRoots(`${root}/link.mp4`, [root]),
    /confined to the root folders/,
  );
  await assert.rejects(
    () => confineToRoots(`${root}/../${outside.split("/").pop()}/secret.mp4`, [root]),
    /confined/,
  );
  await assert.rejects(
    () => confineToRoots(`${root}/missing.mp4`, [root]),
    /expected an existing file or folder/,
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(outside, { recursive: true });
});
