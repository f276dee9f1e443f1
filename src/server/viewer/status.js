// The viewer's status: the source badge and the log of status events. A plain browser ES
// module.

import { $ } from "./dom.js";

/** Sets a badge's text and level ("ok", "warn", "bad"). */
export function badge(el, text, level) {
  el.textContent = text;
  el.className = `badge ${level ?? ""}`;
}

// Other states (starting, connecting, stalled, reconnecting) are warnings.
const LEVEL = { connected: "ok", ended: "bad", failed: "bad", stopped: "bad", removed: "bad" };

/** A status's state (or event), attempt and reason, as one line. */
export function describe(s) {
  let text = s.state ?? s.event;
  if (s.attempt) text += ` (attempt ${s.attempt})`;
  if (s.reason) text += `: ${s.reason}`;
  return text;
}

/** Shows a stream status in the source badge. */
export function showSource(s) {
  badge($("source"), `source ${describe(s)}`, LEVEL[s.state] ?? "warn");
}

/** Adds a line to the status log (the newest 12 are kept). */
export function log(text, at = Date.now()) {
  const li = document.createElement("li");
  li.textContent = `${new Date(at).toLocaleTimeString()} ${text}`;
  $("status").prepend(li);
  while ($("status").children.length > 12) $("status").lastChild.remove();
}
