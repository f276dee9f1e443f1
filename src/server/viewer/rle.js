// Generated from src/geometry/rle.ts by `deno bundle`: the server's own COCO RLE code, for the
// viewer. Do not edit: run "deno task generate" (a test checks it is current).
// deno-lint-ignore-file

// src/describe.ts
function describe(value) {
  if (value === null) return "null";
  if (value === void 0) return "nothing";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "string") {
    const text = JSON.stringify(value.slice(0, 60));
    return `the string ${value.length > 60 ? text.slice(0, -1) + '..."' : text}`;
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `the bigint ${value}`;
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = value.length ?? value.byteLength;
    return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name} of length ${length}`;
  }
  if (Array.isArray(value)) {
    return value.length === 1 ? "an array of 1 item" : `an array of ${value.length} items`;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0) return "an empty object";
    const shown = keys.slice(0, 8).join(", ") + (keys.length > 8 ? ", ..." : "");
    return `an object with ${keys.length === 1 ? "key" : "keys"} ${shown}`;
  }
  return `a ${typeof value}`;
}

// src/geometry/validate.ts
function checkInteger(fn, name, value, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== "number") {
    throw new TypeError(`${fn}(): ${name}: expected an integer, found ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${fn}(): ${name}: expected an integer ${range}, found ${value}`);
  }
}

// src/geometry/rle_string.ts
var MAX_RUN = 4294967295;
var MAX_GROUPS = 7;
function countsToString(counts) {
  const m = counts.length;
  const bytes = new Uint8Array(m * MAX_GROUPS);
  let p = 0;
  for (let i = 0; i < m; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    if (x >= -2147483648 && x <= 2147483647) {
      while (more) {
        let c = x & 31;
        x >>= 5;
        more = c & 16 ? x !== -1 : x !== 0;
        if (more) c |= 32;
        bytes[p++] = c + 48;
      }
    } else {
      while (more) {
        const q = Math.floor(x / 32);
        let c = x - q * 32;
        x = q;
        more = c & 16 ? x !== -1 : x !== 0;
        if (more) c |= 32;
        bytes[p++] = c + 48;
      }
    }
  }
  let s = "";
  for (let i = 0; i < p; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(p, i + 8192)));
  }
  return s;
}
function parseCountsString(fn, name, s, height, width) {
  if (typeof s !== "string") {
    throw new TypeError(
      `${fn}(): ${name}: expected a compressed counts string, found ${describe(s)}`,
    );
  }
  const total = height * width;
  const n = s.length;
  const out = new Uint32Array(n);
  let m = 0;
  let p = 0;
  let sum = 0;
  while (p < n) {
    const start = p;
    let x = 0;
    let k = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= n) {
        throw new RangeError(
          `${fn}(): ${name}: expected a complete compressed counts string, found one that ends inside run ${m} (its last character has the continuation bit 0x20)`,
        );
      }
      const code = s.charCodeAt(p);
      if (code < 48 || code > 111) {
        throw new RangeError(
          `${fn}(): ${name}: expected ASCII characters 48..111 ('0'..'o'), found ${
            JSON.stringify(s[p])
          } (code ${code}) at index ${p}`,
        );
      }
      const c = code - 48;
      x += (c & 31) * scale;
      more = (c & 32) !== 0;
      p++;
      k++;
      scale *= 32;
      if (!more && c & 16) x -= scale;
      if (more && k >= MAX_GROUPS) {
        throw new RangeError(
          `${fn}(): ${name}: expected at most ${MAX_GROUPS} characters per run, found more at index ${start} (run ${m})`,
        );
      }
    }
    if (m > 2) x += out[m - 2];
    if (x < 0 || x > MAX_RUN) {
      throw new RangeError(
        `${fn}(): ${name}: expected run lengths in [0, ${MAX_RUN}], found ${x} for run ${m} (characters from index ${start})`,
      );
    }
    sum += x;
    if (sum > total) {
      throw new RangeError(
        `${fn}(): ${name}: expected runs summing to height \xD7 width = ${height} \xD7 ${width} = ${total}, found run ${m} overflowing it (sum ${sum})`,
      );
    }
    out[m++] = x;
  }
  if (sum !== total) {
    throw new RangeError(
      `${fn}(): ${name}: expected runs summing to height \xD7 width = ${height} \xD7 ${width} = ${total}, found ${sum}`,
    );
  }
  return out.slice(0, m);
}

// src/geometry/rle.ts
var MAX_PIXELS = 4294967295;
function parseRle(fn, name, rle) {
  if (rle === null || typeof rle !== "object" || Array.isArray(rle)) {
    throw new TypeError(
      `${fn}(): ${name}: expected an RLE object {size: [height, width], counts}, found ${
        describe(rle)
      }`,
    );
  }
  const { size, counts } = rle;
  const [height, width] = checkSize(fn, `${name}.size`, size);
  if (typeof counts === "string") {
    return {
      height,
      width,
      counts: parseCountsString(fn, `${name}.counts`, counts, height, width),
    };
  }
  if (!Array.isArray(counts) && !(counts instanceof Uint32Array)) {
    throw new TypeError(
      `${fn}(): ${name}.counts: expected a compressed counts string or an array of run lengths, found ${
        describe(counts)
      }`,
    );
  }
  const out = new Uint32Array(counts.length);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > MAX_PIXELS) {
      throw new RangeError(
        `${fn}(): ${name}.counts[${i}]: expected a run length (an integer >= 0), found ${
          describe(c)
        }`,
      );
    }
    out[i] = c;
    sum += c;
  }
  if (sum !== height * width) {
    throw new RangeError(
      `${fn}(): ${name}.counts: expected runs summing to height \xD7 width = ${height} \xD7 ${width} = ${
        height * width
      }, found ${sum}`,
    );
  }
  return {
    height,
    width,
    counts: out,
  };
}
function checkSize(fn, name, size) {
  const expected = "[height, width] (two integers >= 0)";
  if (!Array.isArray(size)) {
    throw new TypeError(`${fn}(): ${name}: expected ${expected}, found ${describe(size)}`);
  }
  if (size.length !== 2) {
    throw new RangeError(`${fn}(): ${name}: expected ${expected}, found ${describe(size)}`);
  }
  checkInteger(fn, `${name}[0]`, size[0], 0);
  checkInteger(fn, `${name}[1]`, size[1], 0);
  if (size[0] * size[1] > MAX_PIXELS) {
    throw new RangeError(
      `${fn}(): ${name}: expected at most 2\xB3\xB2 - 1 pixels, found ${size[0]} \xD7 ${size[1]}`,
    );
  }
  return [
    size[0],
    size[1],
  ];
}
function runsToRle(runs) {
  return {
    size: [
      runs.height,
      runs.width,
    ],
    counts: countsToString(runs.counts),
  };
}
function encodeCounts(mask, height, width) {
  let counts = new Uint32Array(64);
  let k = 0;
  let previous = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x, end = x + height * width; i < end; i += width) {
      const v = mask[i] !== 0 ? 1 : 0;
      if (v !== previous) {
        if (k === counts.length) {
          const grown = new Uint32Array(k * 2);
          grown.set(counts);
          counts = grown;
        }
        counts[k++] = run;
        run = 0;
        previous = v;
      }
      run++;
    }
  }
  if (k === counts.length) {
    const grown = new Uint32Array(k + 1);
    grown.set(counts);
    counts = grown;
  }
  counts[k++] = run;
  return counts.slice(0, k);
}
function encodeRle(mask, height, width) {
  checkInteger("encodeRle", "height", height, 0);
  checkInteger("encodeRle", "width", width, 0);
  if (height * width > MAX_PIXELS) {
    throw new RangeError(
      `encodeRle(): height \xD7 width: expected at most 2\xB3\xB2 - 1 pixels, found ${height} \xD7 ${width}`,
    );
  }
  const expected = `a Uint8Array of height \xD7 width = ${height * width} bytes (row-major)`;
  if (!(mask instanceof Uint8Array)) {
    throw new TypeError(`encodeRle(): mask: expected ${expected}, found ${describe(mask)}`);
  }
  if (mask.length !== height * width) {
    throw new RangeError(`encodeRle(): mask: expected ${expected}, found length ${mask.length}`);
  }
  return {
    size: [
      height,
      width,
    ],
    counts: countsToString(encodeCounts(mask, height, width)),
  };
}
function decodeCounts(runs) {
  const { height, width, counts } = runs;
  const out = new Uint8Array(height * width);
  if (out.length === 0) return out;
  let x = 0;
  let y = 0;
  for (let j = 0; j < counts.length; j++) {
    let run = counts[j];
    if (j & 1) {
      while (run > 0) {
        const step = Math.min(run, height - y);
        for (let i = y * width + x, end = (y + step) * width + x; i < end; i += width) out[i] = 1;
        run -= step;
        y += step;
        if (y === height) {
          y = 0;
          x++;
        }
      }
    } else {
      const position = x * height + y + run;
      x = Math.floor(position / height);
      y = position - x * height;
    }
  }
  return out;
}
function decodeRle(rle) {
  return decodeCounts(parseRle("decodeRle", "rle", rle));
}
function compressRle(rle) {
  return runsToRle(parseRle("compressRle", "rle", rle));
}
export {
  checkSize,
  compressRle,
  decodeCounts,
  decodeRle,
  encodeCounts,
  encodeRle,
  parseRle,
  runsToRle,
};
