// Keypoint models in the viewer: each person's skeleton (the model's pairs of 1-based
// keypoint numbers, from the hello message) as lines in the detection's colour, and each
// keypoint as a white dot with a dark rim. A plain browser ES module.

/** Draws the `keypoints` ([x, y, score] × K) of every detection of `result` that has them. */
export function drawSkeletons(ctx, result, skeleton, colorOf, css) {
  const width = Math.max(2, result.width / 400);
  const radius = Math.max(2, result.width / 320);
  let drawn = 0;
  for (const d of result.detections) {
    const k = d.keypoints;
    if (!k) continue;
    drawn++;
    ctx.strokeStyle = css(colorOf(d.classId));
    ctx.lineWidth = width;
    ctx.beginPath();
    for (const [a, b] of skeleton ?? []) {
      const i = 3 * (a - 1), j = 3 * (b - 1);
      if (j + 1 >= k.length || i + 1 >= k.length) continue;
      ctx.moveTo(k[i], k[i + 1]);
      ctx.lineTo(k[j], k[j + 1]);
    }
    ctx.stroke();
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    for (let i = 0; i + 1 < k.length; i += 3) {
      ctx.beginPath();
      ctx.arc(k[i], k[i + 1], radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }
  return drawn;
}
