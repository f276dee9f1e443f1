// Tracked objects in the viewer: a short trail per track, the stream's lines and zones with
// their live counts. A plain browser ES module used by viewer.js. Lines and zones come from
// GET /streams/:id/analytics; counts from the `counts`, `line` and `zone` messages of a
// subscription with `events: true`.

const TRAIL = 20; // points kept per track
const FORGET_FRAMES = 60; // a track not seen for this many frames loses its trail

/** A stream's trails, lines, zones and counts. */
export function trackState() {
  return { trails: new Map(), lines: [], zones: [], lineCounts: new Map(), zoneCounts: new Map() };
}

/** Adds a result's tracked detections to the trails (bottom-centre of each box). */
export function recordTrails(tracks, result) {
  for (const d of result.detections) {
    if (!d.trackId) continue;
    const [x1, , x2, y2] = d.box;
    const trail = tracks.trails.get(d.trackId) ?? { points: [], classId: d.classId, last: 0 };
    trail.points.push([(x1 + x2) / 2, y2]);
    if (trail.points.length > TRAIL) trail.points.shift();
    trail.last = result.frame;
    tracks.trails.set(d.trackId, trail);
  }
  for (const [id, trail] of tracks.trails) {
    if (result.frame - trail.last > FORGET_FRAMES || trail.last > result.frame) {
      tracks.trails.delete(id);
    }
  }
}

/** Takes a `counts` message (all counts), a `line` message (that line's) or a zone's
 * `occupancy`. */
export function recordCounts(tracks, m) {
  if (m.type === "counts") {
    tracks.lineCounts = new Map(m.lines.map((l) => [l.name, l]));
    tracks.zoneCounts = new Map(m.zones.map((z) => [z.name, z]));
  } else if (m.type === "line") {
    tracks.lineCounts.set(m.line, m.counts);
  } else if (m.type === "zone" && m.event === "occupancy") {
    const old = tracks.zoneCounts.get(m.zone) ?? { name: m.zone, entered: {}, exited: {} };
    tracks.zoneCounts.set(m.zone, { ...old, occupancy: m.occupancy, total: m.total });
  }
}

/** Draws trails, zones and lines with their counts. `css(rgb, alpha)` makes a colour. */
export function drawTracks(ctx, tracks, colorOf, css, font) {
  ctx.save();
  ctx.font = `${font}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  for (const z of tracks.zones) {
    const n = tracks.zoneCounts.get(z.name)?.total ?? 0;
    ctx.beginPath();
    z.points.forEach(([x, y], i) => i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y));
    ctx.closePath();
    ctx.fillStyle = n > 0 ? "rgba(255, 200, 0, 0.18)" : "rgba(0, 180, 255, 0.12)";
    ctx.fill();
    ctx.strokeStyle = n > 0 ? "#ffc800" : "#00b4ff";
    ctx.lineWidth = 2;
    ctx.stroke();
    label(ctx, `${z.name}: ${n} inside`, z.points[0][0], z.points[0][1], font);
  }
  for (const l of tracks.lines) {
    const [[ax, ay], [bx, by]] = l.points;
    ctx.strokeStyle = "#ff4081";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.lineTo(bx, by);
    ctx.stroke();
    const c = tracks.lineCounts.get(l.name);
    label(ctx, `${l.name}: in ${c?.totalIn ?? 0} / out ${c?.totalOut ?? 0}`, ax, ay, font);
  }
  ctx.lineWidth = 2;
  for (const trail of tracks.trails.values()) {
    if (trail.points.length < 2) continue;
    ctx.strokeStyle = css(colorOf(trail.classId), 0.8);
    ctx.beginPath();
    trail.points.forEach(([x, y], i) => i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y));
    ctx.stroke();
  }
  ctx.restore();
}

function label(ctx, text, x, y, font) {
  const w = ctx.measureText(text).width + 8;
  ctx.fillStyle = "rgba(0, 0, 0, 0.7)";
  ctx.fillRect(x, y, w, font + 6);
  ctx.fillStyle = "#fff";
  ctx.fillText(text, x + 4, y + 3);
}
