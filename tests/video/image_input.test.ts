/**
 * Which files an image folder or glob names, in which order, and which it refuses.
 */

import assert from "node:assert/strict";
import { globRegExp, listImages, naturalCompare } from "../../src/video/image_input.ts";
import { prepareImages } from "../../src/video/image_sequence.ts";

async function withRoot(test: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "image-input-" }));
  try {
    await test(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const touch = (path: string) => Deno.writeFile(path, new Uint8Array([0xff, 0xd8]));

Deno.test("naturalCompare() orders runs of digits by value, then the rest by character code", () => {
  const names = ["img10.jpg", "img2.jpg", "img1.jpg", "img01.jpg", "a100b2", "a100b10", "B.jpg"];
  assert.deepEqual(names.sort(naturalCompare), [
    "B.jpg",
    "a100b2",
    "a100b10",
    "img01.jpg",
    "img1.jpg",
    "img2.jpg",
    "img10.jpg",
  ]);
  assert.ok(naturalCompare("x99999999999999999999.jpg", "x100000000000000000000.jpg") < 0);
});

Deno.test("globRegExp() reads *, ? and sets, and everything else literally", () => {
  assert.ok(globRegExp("cam?_*.jpg").test("cam1_0001.jpg"));
  assert.ok(!globRegExp("cam?_*.jpg").test("cam12_0001.jpg"));
  assert.ok(globRegExp("img[!0]*.png").test("img1.png"));
  assert.ok(!globRegExp("img[!0]*.png").test("img0.png"));
  assert.ok(globRegExp("a+(b)*.jpg").test("a+(b)1.jpg"));
  assert.ok(!globRegExp("*.jpg").test("a.jpgx"));
});

Deno.test("listImages() takes a folder's images in natural order, leaving out hidden files, subfolders and other files", async () => {
  await withRoot(async (root) => {
    for (const name of ["img10.JPG", "img2.jpg", ".img3.jpg", "notes.txt", "clip.mp4"]) {
      await touch(`${root}/${name}`);
    }
    await Deno.mkdir(`${root}/sub.jpg`);
    await Deno.mkdir(`${root}/elsewhere`);
    await Deno.symlink(`${root}/elsewhere`, `${root}/folder-link.jpg`);
    const list = await listImages(root, [root]);
    assert.deepEqual(list.files, [`${root}/img2.jpg`, `${root}/img10.JPG`]);
    assert.equal(list.extension, "jpg");
    assert.deepEqual((await listImages(`${root}/img1*`, [root])).files, [`${root}/img10.JPG`]);
    assert.deepEqual((await listImages(`${root}/.img*`, [root])).files, [`${root}/.img3.jpg`]);
  });
});

Deno.test("listImages() refuses images of two types, a link to nothing, a folder out of the roots, and no images", async () => {
  await withRoot(async (root) => {
    await touch(`${root}/a.jpg`);
    await touch(`${root}/b.jpeg`);
    assert.equal((await listImages(root, [root])).files.length, 2, "jpg and jpeg are one type");
    await touch(`${root}/c.png`);
    await assert.rejects(
      listImages(root, [root]),
      new RegExp(
        `^SourceError: ${root}: expected images of one type, found jpg and png \\(a\\.jpg, c\\.png\\); ` +
          `give a glob such as ${root}/\\*\\.jpg$`,
      ),
    );
    assert.equal((await listImages(`${root}/*.png`, [root])).files.length, 1);
    await Deno.symlink(`${root}/gone.png`, `${root}/d.png`);
    await assert.rejects(
      listImages(`${root}/*.png`, [root]),
      (e: Error) => e.message.startsWith(`${root}/*.png: ${root}/d.png: expected an existing file`),
    );
    await Deno.mkdir(`${root}/inner`);
    await assert.rejects(listImages(root, [`${root}/inner`]), /confined to the root folders/);
    await assert.rejects(
      listImages(`${root}/inner`, [root]),
      /expected images \(jpg, .*\), found none/,
    );
    await assert.rejects(
      listImages(`${root}/*.bmp`, [root]),
      /expected images matching \*\.bmp, found none/,
    );
  });
});

Deno.test("prepareImages() links the checked images in order under numbered names, and close() removes only the links", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/shots`);
    for (const name of ["x%d.png", "x10.png", "x9.png"]) await touch(`${root}/shots/${name}`);
    const images = await prepareImages(`${root}/shots`, [root]);
    assert.equal(images.count, 3);
    const folder = images.pattern.slice(0, images.pattern.lastIndexOf("/"));
    const links = await Promise.all(
      [0, 1, 2].map((i) => Deno.readLink(`${folder}/${i}.png`)),
    );
    assert.deepEqual(links, [
      `${root}/shots/x9.png`,
      `${root}/shots/x10.png`,
      `${root}/shots/x%d.png`,
    ]);
    await images.close();
    await images.close();
    await assert.rejects(Deno.stat(folder), Deno.errors.NotFound);
    assert.equal((await Array.fromAsync(Deno.readDir(`${root}/shots`))).length, 3);
  });
});
