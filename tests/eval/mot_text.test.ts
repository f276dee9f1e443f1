import assert from "node:assert/strict";
import { EvalInputError } from "../../src/errors.ts";
import { formatMotText, parseMotText } from "../../src/eval/mot_text.ts";
import type { TrackingFrame } from "../../src/eval/mot_types.ts";

const rows = (frames: TrackingFrame[]) => frames.map((f) => [f.frame, [...f.ids], [...f.boxes]]);

function throwsInput(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof EvalInputError && message.test(e.message));
}

Deno.test("parseMotText() reads gt.txt rows into frames in increasing order, boxes in file order", () => {
  const text = [
    "2,7,100,50,20,40,1,1,1",
    "1,7,98,50,20,40,1,1,0.5",
    "1,3,10,10,5,5,1,1,1",
    "",
    "3,3,12.5,10,5.25,5,1,1,1",
  ].join("\n");
  assert.deepEqual(rows(parseMotText(text, "gt.txt")), [
    [1, [7, 3], [98, 50, 118, 90, 10, 10, 15, 15]],
    [2, [7], [100, 50, 120, 90]],
    [3, [3], [12.5, 10, 17.75, 15]],
  ]);
});

Deno.test("parseMotText() drops ground truth rows whose consider flag (column 7) is 0", () => {
  const text = "1,1,0,0,10,10,1,1,1\n1,2,20,0,10,10,0,1,1\n2,2,20,0,10,10,0,7,1\n";
  assert.deepEqual(rows(parseMotText(text, "gt.txt")), [[1, [1], [0, 0, 10, 10]]]);
});

Deno.test("parseMotText() keeps every row of tracker output with keepIgnored", () => {
  const text = "1,1,0,0,10,10,0,-1,-1,-1\n1,2,20,0,10,10,0.4,-1,-1,-1\n";
  assert.deepEqual(rows(parseMotText(text, "res.txt", { keepIgnored: true })), [
    [1, [1, 2], [0, 0, 10, 10, 20, 0, 30, 10]],
  ]);
  // a default parse keeps scores in (0, 1): only an exact 0 is an ignore flag
  assert.deepEqual(rows(parseMotText(text, "res.txt")), [[1, [2], [20, 0, 30, 10]]]);
});

Deno.test("parseMotText() accepts spaces, CRLF, trailing commas and six-column rows", () => {
  const text = "1 5 0 0 4 4 1\r\n2, 5, 1, 0, 4, 4,\r\n3,5,2,0,4,4\r\n";
  assert.deepEqual(rows(parseMotText(text, "t.txt")), [
    [1, [5], [0, 0, 4, 4]],
    [2, [5], [1, 0, 5, 4]],
    [3, [5], [2, 0, 6, 4]],
  ]);
  assert.deepEqual(parseMotText("\n  \n", "empty.txt"), []);
});

Deno.test("parseMotText() names the file, line, column, expectation and finding of a bad line", () => {
  throwsInput(
    () => parseMotText("1,1,0,0,4,4,1\n0,1,0,0,4,4,1\n", "gt.txt"),
    /^gt.txt:2: frame: expected an integer >= 1, found the string "0"$/,
  );
  throwsInput(
    () => parseMotText("1.5,1,0,0,4,4\n", "a.txt"),
    /^a.txt:1: frame: expected an integer >= 1, found the string "1.5"$/,
  );
  throwsInput(
    () => parseMotText("1,x,0,0,4,4\n", "a.txt"),
    /^a.txt:1: id: expected a number, found the string "x"$/,
  );
  throwsInput(
    () => parseMotText("1,2.5,0,0,4,4\n", "a.txt"),
    /^a.txt:1: id: expected an integer \(int32\), found the string "2.5"$/,
  );
  throwsInput(
    () => parseMotText("1,2,0,0,4\n", "a.txt"),
    /^a.txt:1: h: expected a number, found nothing$/,
  );
  throwsInput(
    () => parseMotText("1,2,0,,4,4\n", "a.txt"),
    /^a.txt:1: y: expected a number, found the string ""$/,
  );
  throwsInput(
    () => parseMotText("1,2,0,0,4,inf\n", "a.txt"),
    /^a.txt:1: h: expected a number, found the string "inf"$/,
  );
  throwsInput(
    () => parseMotText("1,2,0,0,4,4,1,a\n", "a.txt"),
    /^a.txt:1: column 8: expected a number, found the string "a"$/,
  );
  throwsInput(
    () => parseMotText("1,2,0,0,4,4\n1,3,0,0,4,4\n1,2,9,9,4,4\n", "a.txt"),
    /^a.txt:3: id: expected an id not used yet in frame 1, found 2, as on line 1$/,
  );
});

Deno.test("parseMotText() errors carry the issue's path, expected and found", () => {
  try {
    parseMotText("1,2,0,0,4\n", "a.txt");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof EvalInputError);
    assert.deepEqual(e.issues, [{ path: ["h"], expected: "a number", found: "nothing" }]);
  }
});

Deno.test("formatMotText() writes x, y, w, h with the shortest decimals and reads back exactly", () => {
  const frames: TrackingFrame[] = [
    { frame: 3, ids: new Int32Array([9]), boxes: new Float32Array([0.1, 0.2, 100.3, 50.7]) },
    {
      frame: 1,
      ids: new Int32Array([1, 2]),
      boxes: new Float32Array([10, 20, 30, 60, -5, -5, 0, 0]),
    },
  ];
  const text = formatMotText(frames, [new Float32Array([0.25]), new Float32Array([1, 0.5])]);
  assert.equal(
    text,
    "1,1,10,20,20,40,1,-1,-1,-1\n1,2,-5,-5,5,5,0.5,-1,-1,-1\n3,9,0.1,0.2,100.2,50.5,0.25,-1,-1,-1\n",
  );
  const back = parseMotText(text, "out.txt", { keepIgnored: true });
  assert.deepEqual(back, [frames[1], frames[0]]);
});

Deno.test("formatMotText() round-trips random float32 boxes bit for bit", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const frames: TrackingFrame[] = [];
  for (let f = 1; f <= 50; f++) {
    const boxes = new Float32Array(40);
    for (let i = 0; i < 10; i++) {
      const x = random() * 1920, y = random() * 1080;
      boxes.set([x, y, x + random() * 300, y + random() * 300], 4 * i);
    }
    frames.push({ frame: f, ids: Int32Array.from({ length: 10 }, (_, i) => i * 3 + f), boxes });
  }
  assert.deepEqual(parseMotText(formatMotText(frames), "out.txt"), frames);
});

Deno.test("formatMotText() refuses scores that do not fit the frames", () => {
  const frames = [{ frame: 1, ids: new Int32Array([1]), boxes: new Float32Array([0, 0, 1, 1]) }];
  throwsInput(
    () => formatMotText(frames, []),
    /^formatMotText\(\): scores: expected an array of 1 Float32Arrays, found an array of 0 items$/,
  );
  throwsInput(
    () => formatMotText(frames, [new Float32Array(2)]),
    /scores\[0\]: expected a Float32Array of 1 scores/,
  );
  throwsInput(
    () => formatMotText(frames, [new Float32Array([NaN])]),
    /scores\[0\]\[0\]: expected a finite number, found the number NaN/,
  );
  throwsInput(
    () => formatMotText([{ ...frames[0], frame: 0 }]),
    /^formatMotText\(\): frames\[0\]\.frame: expected an integer >= 1, found the number 0$/,
  );
});
