// A small line chart in an SVG of viewBox 0 0 300 100: one line (and a faint area) per series, the newest point
// at the right edge. Until `capacity` samples exist the samples so far fill the width.

import { svg } from './dom.js';

const W = 300;
const H = 100;
const PAD_TOP = 14;
const BOTTOM = H - 2;

/** series: [{values: number[], class: string}]; label(max) names the top line. */
export function drawChart(target, series, capacity, label) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const y = (v) => BOTTOM - (v / max) * (BOTTOM - PAD_TOP - 2);
  const children = [
    svg('line', { class: 'grid', x1: 0, x2: W, y1: y(max), y2: y(max) }),
    svg('line', { class: 'grid', x1: 0, x2: W, y1: BOTTOM, y2: BOTTOM }),
    svg('text', { class: 'chart-label', x: 2, y: PAD_TOP - 3 }, label(max)),
  ];
  let samples = 0;
  for (const s of series) {
    const n = s.values.length;
    samples = Math.max(samples, n);
    if (n < 2) continue;
    const span = Math.min(capacity, n) - 1;
    const x = (i) => W - ((n - 1 - i) * W) / span;
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    children.push(svg('polygon', { class: 'area ' + s.class, points: `${x(0).toFixed(1)},${BOTTOM} ${points.join(' ')} ${W},${BOTTOM}` }));
    children.push(svg('polyline', { class: 'series ' + s.class, points: points.join(' ') }));
  }
  target.setAttribute('data-samples', String(samples));
  target.replaceChildren(...children);
}
