/** Placement: quotas fill the live nodes evenly within their capacities, and every node's
 * own decision, taken alone, converges on an even spread. */

import assert from "node:assert/strict";
import { decidePlacement, quotas, rendezvousWeight } from "../../src/cluster/placement.ts";

Deno.test("quotas share streams evenly, cap nodes at their capacity and give the rest to the others", () => {
  const nodes = [{ id: "a", capacity: 100 }, { id: "b", capacity: 100 }, {
    id: "c",
    capacity: 100,
  }];
  assert.deepEqual(Object.fromEntries(quotas(nodes, 6)), { a: 2, b: 2, c: 2 });
  assert.deepEqual(Object.fromEntries(quotas(nodes, 7)), { a: 3, b: 2, c: 2 });
  const capped = [{ id: "a", capacity: 1 }, { id: "b", capacity: 2 }, { id: "c", capacity: 100 }];
  assert.deepEqual(Object.fromEntries(quotas(capped, 9)), { a: 1, b: 2, c: 6 });
  // More streams than room: every node full, the rest unplaced.
  const sum = [...quotas(capped, 500).values()].reduce((x, y) => x + y, 0);
  assert.equal(sum, 103);
  for (let n = 0; n < 50; n++) {
    const total = [...quotas(nodes, n).values()].reduce((x, y) => x + y, 0);
    assert.equal(total, n);
  }
});

Deno.test("nodes deciding alone, one after another, reach an even spread with every stream placed once", () => {
  const nodes = ["a", "b", "c", "d"].map((id) => ({ id, capacity: 50 }));
  const streams = Array.from({ length: 30 }, (_, i) => `cam${i}`);
  const owners = new Map<string, string>();
  for (let round = 0; round < 6; round++) {
    for (const { id } of nodes) {
      const d = decidePlacement(id, nodes, streams, owners);
      for (const s of d.release) owners.delete(s);
      for (const s of d.claim.slice(0, d.wanted)) owners.set(s, id);
    }
  }
  const per = nodes.map(({ id }) => [...owners.values()].filter((o) => o === id).length);
  assert.deepEqual(per.sort(), [7, 7, 8, 8]);
  assert.equal(owners.size, 30);
});

Deno.test("a node gives back streams no longer desired and ranks its claims by rendezvous weight", () => {
  const nodes = [{ id: "a", capacity: 10 }];
  const d = decidePlacement("a", nodes, ["x", "y"], new Map([["gone", "a"], ["x", "a"]]));
  assert.deepEqual(d.release, ["gone"]);
  assert.deepEqual(d.claim, ["y"]);
  const ranked = decidePlacement("a", nodes, ["p", "q", "r", "s"], new Map()).claim;
  const weights = ranked.map((s) => rendezvousWeight(s, "a"));
  assert.deepEqual(weights, [...weights].sort((x, y) => y - x));
});
