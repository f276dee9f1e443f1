// The streamdet live viewer: one stream's frames with its detections, masks and panoptic
// colours, as the WebSocket sends them. A plain browser ES module; it imports the server's
// own COCO RLE decoder (src/geometry/rle.ts, bundled as rle.js: see rle_bundle.ts) and
// the viewer's other modules (tracks, skeletons, figures, status).
import { decodeRle } from "./rle.js";
import { $ } from "./dom.js";
import { drawTracks, recordCounts, recordTrails, trackState } from "./tracks.js";
import { drawSkeletons } from "./skeleton.js";
import { renderStats } from "./stats.js";
import { badge, describe, log, showSource } from "./status.js";

const KEEP = 30; // results and pictures kept while waiting for their pair
const KEEP_DRAWN = 10;
const STUFF_ALPHA = 115;
const THING_ALPHA = 140;

const canvas = $("canvas");
const ctx = canvas.getContext("2d");
const overlay = document.createElement("canvas");
const octx = overlay.getContext("2d", { willReadFrequently: true });
const select = $("stream");

/** What the tests read: the last frames drawn and the status events seen. */
const viewer = { drawn: [], framesDrawn: 0, status: [], overlay };
globalThis.__viewer = viewer;

const state = {
  streamId: null,
  info: new Map(), // stream id -> last known { id, model, state, reason?, input? }
  colors: new Map(), // class id -> [r, g, b]
  skeletons: new Map(), // model id -> [[a, b], ...] (keypoint models)
  results: new Map(), // frame index -> result message
  images: new Map(), // frame index -> decoded picture
  image: null, // the last picture drawn: { img, frame }
  lastDrawn: -1,
  unpaired: 0, // results since the last picture arrived
  arrivals: [], // performance.now() of each result
  latencies: [], // { at, latency }
  since: 0,
  ws: null,
  backoffMs: 500,
  tracks: trackState(), // trails, lines, zones and counts of the stream shown
};

// --- COCO RLE ------------------------------------------------------------------------

/** Paints the ones of `rle` (its mask is `data`'s size) into RGBA `data` in one colour. */
function paintRle(data, rle, [r, g, b], alpha) {
  const mask = decodeRle(rle);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    const o = i * 4;
    data[o] = r;
    data[o + 1] = g;
    data[o + 2] = b;
    data[o + 3] = alpha;
  }
}

// --- drawing -------------------------------------------------------------------------

// A class the model did not give a colour gets a stable one of its own.
const colorOf = (id) =>
  state.colors.get(id) ?? [55 + (id * 67) % 200, 55 + (id * 131) % 200, 55 + (id * 199) % 200];

const css = ([r, g, b], a = 1) => `rgba(${r}, ${g}, ${b}, ${a})`;

/** A list item with a colour swatch. */
function swatch(color, text) {
  const li = document.createElement("li");
  const i = document.createElement("i");
  i.style.background = css(color);
  li.append(i, text);
  return li;
}

/** Stuff segments of the panoptic map, then instance masks (best score on top). */
function drawMasks(result) {
  const { width, height } = result;
  if (overlay.width !== width || overlay.height !== height) {
    overlay.width = width;
    overlay.height = height;
  }
  const image = octx.createImageData(width, height);
  for (const s of result.panoptic?.segments ?? []) {
    if (!s.isThing && s.rle?.counts) {
      paintRle(image.data, s.rle, colorOf(s.classId), STUFF_ALPHA);
    }
  }
  for (let i = result.detections.length - 1; i >= 0; i--) {
    const d = result.detections[i];
    if (d.mask) paintRle(image.data, d.mask, colorOf(d.classId), THING_ALPHA);
  }
  octx.putImageData(image, 0, 0);
  ctx.drawImage(overlay, 0, 0);
}

function drawBoxes(result) {
  const font = Math.max(12, Math.round(result.height / 28));
  ctx.font = `${font}px system-ui, sans-serif`;
  ctx.lineWidth = Math.max(2, result.width / 400);
  ctx.textBaseline = "top";
  for (const d of result.detections) {
    const [x1, y1, x2, y2] = d.box;
    const color = colorOf(d.classId);
    ctx.strokeStyle = css(color);
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const text = `${d.trackId ? `#${d.trackId} ` : ""}${d.label} ${d.score.toFixed(2)}`;
    const w = ctx.measureText(text).width + 6;
    const ty = y1 - font - 4 >= 0 ? y1 - font - 4 : y1;
    ctx.fillStyle = css(color, 0.85);
    ctx.fillRect(x1, ty, w, font + 4);
    ctx.fillStyle = "#000";
    ctx.fillText(text, x1 + 3, ty + 2);
  }
}

/** Draws a frame's picture (or the last one) with its result's overlays. */
function draw(result, picture) {
  if (canvas.width !== result.width || canvas.height !== result.height) {
    canvas.width = result.width;
    canvas.height = result.height;
  }
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (picture) ctx.drawImage(picture.img, 0, 0, canvas.width, canvas.height);
  drawMasks(result);
  drawTracks(ctx, state.tracks, colorOf, css, Math.max(12, Math.round(result.height / 32)));
  drawBoxes(result);
  const people = drawSkeletons(ctx, result, state.skeletons.get(result.model), colorOf, css);
  state.lastDrawn = result.frame;
  canvas.dataset.frame = String(result.frame);
  viewer.framesDrawn++;
  viewer.drawn.push({
    frame: result.frame,
    streamId: result.streamId,
    imageFrame: picture ? picture.frame : null,
    detections: result.detections.map((d) => ({
      label: d.label,
      score: d.score,
      box: d.box,
      ...(d.trackId ? { trackId: d.trackId } : {}),
      ...(d.keypoints ? { keypoints: d.keypoints } : {}),
    })),
    skeletons: people,
    lines: state.tracks.lines.map((l) => ({
      name: l.name,
      ...state.tracks.lineCounts.get(l.name),
    })),
    zones: state.tracks.zones.map((z) => ({
      name: z.name,
      ...state.tracks.zoneCounts.get(z.name),
    })),
    trails: state.tracks.trails.size,
  });
  if (viewer.drawn.length > KEEP_DRAWN) viewer.drawn.shift();
  $("frame-index").textContent = String(result.frame);
  $("detections").replaceChildren(
    ...result.detections.map((d) => swatch(colorOf(d.classId), `${d.label} ${d.score.toFixed(2)}`)),
  );
}

/** Draws frame `frame` when both its result and its picture are here. */
function pair(frame) {
  const result = state.results.get(frame);
  const img = state.images.get(frame);
  if (!result || !img || frame <= state.lastDrawn) return;
  state.image = { img, frame };
  draw(result, state.image);
}

function trim(map) {
  while (map.size > KEEP) map.delete(map.keys().next().value);
}

function onResult(m) {
  if (m.streamId !== state.streamId) return;
  const now = performance.now();
  if (m.frame + KEEP < state.lastDrawn) state.lastDrawn = -1; // the stream started over
  if (state.arrivals.length === 0) state.since = now;
  state.arrivals.push(now);
  state.latencies.push({ at: now, latency: m.latency });
  state.results.set(m.frame, m);
  trim(state.results);
  recordTrails(state.tracks, m);
  state.unpaired++;
  if (state.images.has(m.frame)) pair(m.frame);
  // Pictures trail their results by about one: with none for a few results (none
  // asked for, or none coming), draw on the last one.
  else if (state.unpaired >= 3 && m.frame > state.lastDrawn) draw(m, state.image);
}

function onThumbnail(m) {
  if (m.streamId !== state.streamId) return;
  state.unpaired = 0;
  const img = new Image();
  img.src = `data:${m.mime};base64,${m.data}`;
  img.decode().then(() => {
    if (m.streamId !== state.streamId || m.frame <= state.lastDrawn) return;
    state.images.set(m.frame, img);
    trim(state.images);
    pair(m.frame);
  }).catch(() => {});
}

// --- status ---------------------------------------------------------------------------

function onStatus(m) {
  viewer.status.push(m);
  if (viewer.status.length > 50) viewer.status.shift();
  const who = m.streamId ?? (m.model ? `model ${m.model}` : m.event);
  const what = { removed: "removed", "frame-error": "frame error" }[m.event] ?? m.state;
  log(`${who}: ${describe({ ...m, state: what })}`, m.at);
  if (m.streamId === state.streamId && m.event === "stream") showSource(m);
  if (m.streamId === state.streamId && m.event === "removed") showSource({ state: "removed" });
  if (m.event === "stream" && m.streamId && !streamOption(m.streamId)) loadStreams();
  if (m.event === "removed") streamOption(m.streamId)?.remove();
}

// --- streams and the socket ----------------------------------------------------------

const streamOption = (id) => [...select.options].find((o) => o.value === id);

function fillStreams(streams) {
  for (const s of streams) {
    const option = streamOption(s.id) ?? select.appendChild(document.createElement("option"));
    option.value = s.id;
    const input = s.input ? `, ${s.input.width}×${s.input.height} @ ${s.input.fps} fps` : "";
    option.textContent = `${s.id} (${s.model}${input})`;
    if (!state.info.has(s.id)) log(`${s.id}: ${describe(s)}`);
    state.info.set(s.id, s);
    if (s.id === state.streamId) showSource(s);
  }
  const wanted = new URLSearchParams(location.search).get("stream");
  const id = state.streamId ?? (streamOption(wanted) ? wanted : streams[0]?.id);
  if (id && id !== state.streamId) choose(id);
}

async function loadStreams() {
  try {
    const response = await fetch("/streams");
    fillStreams((await response.json()).streams);
  } catch {
    // the socket's hello lists them too
  }
}

function send(message) {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

function subscribe() {
  if (!state.streamId) return;
  send({ type: "unsubscribe", streams: "*" });
  send({
    type: "subscribe",
    streams: [state.streamId],
    masks: true,
    panoptic: true,
    thumbnails: true,
    events: true,
  });
}

/** Fetches the lines and zones of the stream shown (none without tracking). */
async function loadAnalytics(id) {
  try {
    const response = await fetch(`/streams/${encodeURIComponent(id)}/analytics`);
    const body = response.ok ? await response.json() : { lines: [], zones: [] };
    if (id !== state.streamId) return;
    state.tracks.lines = body.lines ?? [];
    state.tracks.zones = body.zones ?? [];
    if (body.counts) recordCounts(state.tracks, body.counts);
  } catch {
    // drawn without lines and zones
  }
}

function choose(id) {
  state.streamId = id;
  select.value = id;
  const url = new URL(location.href);
  url.searchParams.set("stream", id);
  history.replaceState(null, "", url);
  Object.assign(state, { lastDrawn: -1, image: null, arrivals: [], latencies: [] });
  state.results.clear();
  state.images.clear();
  state.unpaired = 0;
  state.tracks = trackState(); // a tracked stream's counts come at once, then its lines and zones
  const info = state.info.get(id);
  if (info) showSource(info);
  else badge($("source"), "source …");
  subscribe();
}

function onMessage(m) {
  switch (m.type) {
    case "hello":
      for (const model of m.models ?? []) {
        for (const c of model.classes ?? []) state.colors.set(c.id, c.color);
        if (model.keypoints) state.skeletons.set(model.id, model.keypoints.skeleton);
      }
      $("classes").replaceChildren(
        ...(m.models ?? []).flatMap((model) =>
          (model.classes ?? []).map((c) =>
            swatch(c.color, `${c.name}${c.isThing ? "" : " (stuff)"}`)
          )
        ),
      );
      if (state.streamId) subscribe(); // again, on a new socket
      fillStreams(m.streams ?? []); // chooses (and subscribes) the first time
      loadStreams();
      break;
    case "result":
      return onResult(m);
    case "thumbnail":
      return onThumbnail(m);
    case "counts":
      // Sent on subscribing and when lines or zones change: their shapes may be new.
      if (m.streamId === state.streamId) {
        recordCounts(state.tracks, m);
        loadAnalytics(m.streamId);
      }
      break;
    case "line":
    case "zone":
      if (m.streamId === state.streamId) recordCounts(state.tracks, m);
      break;
    case "status":
      return onStatus(m);
    case "dropped":
      $("dropped").textContent = `${m.total} (+${m.count})`;
      break;
    case "error":
      onStatus({ event: "error", state: "error", reason: `${m.code}: ${m.message}` });
      break;
  }
}

function connect() {
  const ws = new WebSocket(
    `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
  );
  state.ws = ws;
  badge($("socket"), "socket connecting", "warn");
  ws.onopen = () => {
    state.backoffMs = 500;
    badge($("socket"), "socket open", "ok");
  };
  ws.onmessage = (e) => {
    try {
      onMessage(JSON.parse(e.data));
    } catch (error) {
      console.error("viewer: bad message", error);
    }
  };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.ws = null;
    const wait = state.backoffMs;
    state.backoffMs = Math.min(state.backoffMs * 2, 10_000);
    badge($("socket"), `socket closed, retry in ${(wait / 1000).toFixed(1)} s`, "bad");
    setTimeout(connect, wait);
  };
}

select.addEventListener("change", () => choose(select.value));
setInterval(() => renderStats(state), 250);
loadStreams();
connect();
