// The viewer's figures: results per second over the last few seconds, and the latency of
// each stage (mean over the last second) as a bar and a table. A plain browser ES module.

// Stage colours in the order of the result's latency keys (the server's STAGES): the
// stages themselves are read from the messages, so a new stage needs no change here.
const STAGE_COLORS =
  "#7f8c9a #9b7bd1 #cf6fb5 #5d9bd5 #8d6e63 #4caf7a #e0a83a #d9704a #4fb8b0 #b0b34f"
    .split(" ");
import { $ } from "./dom.js";

const FPS_WINDOW_MS = 3000;
const LATENCY_WINDOW_MS = 1000;

/** Renders the fps, the stage bar and the stage table from `state`'s `arrivals` (result
 * times), `latencies` ({ at, latency }) and `since` (when the stream was chosen). */
export function renderStats(state) {
  const now = performance.now();
  while (state.arrivals.length && now - state.arrivals[0] > FPS_WINDOW_MS) state.arrivals.shift();
  const span = Math.min(FPS_WINDOW_MS, now - state.since) / 1000;
  const fps = state.arrivals.length && span > 0 ? state.arrivals.length / span : 0;
  $("fps").textContent = fps.toFixed(1);

  const recent = state.latencies.filter((l) => now - l.at <= LATENCY_WINDOW_MS);
  state.latencies = state.latencies.slice(-Math.max(recent.length, 1));
  const samples = recent.length ? recent : state.latencies;
  if (samples.length === 0) return;
  const mean = (key) => samples.reduce((sum, l) => sum + (l.latency[key] ?? 0), 0) / samples.length;
  const names = Object.keys(samples[samples.length - 1].latency).filter((k) => k !== "totalMs");
  const stages = names.map((name) => mean(name));
  const total = mean("totalMs");
  const scale = Math.max(total, stages.reduce((a, b) => a + b, 0)) || 1;
  $("bar").replaceChildren(...stages.map((ms, i) => {
    const span = document.createElement("span");
    span.style.width = `${(100 * ms) / scale}%`;
    span.style.background = STAGE_COLORS[i % STAGE_COLORS.length];
    span.title = `${names[i]} ${ms.toFixed(1)} ms`;
    return span;
  }));
  const row = (name, ms, color) => {
    const tr = document.createElement("tr");
    tr.dataset.stage = name;
    tr.className = color ? "" : "total";
    const swatch = color ? `<i style="background: ${color}"></i>` : "";
    tr.innerHTML = `<td>${swatch}${name}</td><td>${ms.toFixed(1)} ms</td>`;
    return tr;
  };
  $("stages").replaceChildren(
    ...stages.map((ms, i) => row(names[i], ms, STAGE_COLORS[i % STAGE_COLORS.length])),
    row("totalMs", total),
  );
}
