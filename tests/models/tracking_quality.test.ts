/**
 * Tracking on the held-out demo video, scored against its ground truth: the floors the
 * model's README states (IDF1 ≥ 0.80, HOTA ≥ 0.65; line and zone counts within 5%).
 */

import assert from "node:assert/strict";
import { trackingQuality } from "../../models/tracking_quality.ts";

Deno.test("detect --track on the demo video keeps IDF1 >= 0.80 and HOTA >= 0.65, and counts its line and zone within 5%", async () => {
  const q = await trackingQuality();
  assert.ok(q.idf1 >= 0.8, `IDF1 ${q.idf1}`);
  assert.ok(q.hota >= 0.65, `HOTA ${q.hota}`);
  for (const c of q.counts) {
    assert.ok(c.error <= 0.05, `${c.what}: ${c.measured}, true ${c.truth}`);
  }
});
