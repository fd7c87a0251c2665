// A small line chart in an SVG of viewBox 0 0 300 100: one polyline per series, a grid line at the top value.

import { svg } from './dom.js';

const W = 300;
const H = 100;
const PAD_TOP = 14;

/** series: [{values: number[], class: string}]; capacity: points across the width; label(max) names the top line. */
export function drawChart(target, series, capacity, label) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i, n) => W - ((n - 1 - i) * W) / (capacity - 1);
  const y = (v) => H - 2 - (v / max) * (H - PAD_TOP - 4);
  const children = [
    svg('line', { class: 'grid', x1: 0, x2: W, y1: y(max), y2: y(max) }),
    svg('line', { class: 'grid', x1: 0, x2: W, y1: H - 2, y2: H - 2 }),
    svg('text', { class: 'chart-label', x: 2, y: PAD_TOP - 3 }, label(max)),
  ];
  for (const s of series) {
    const n = s.values.length;
    if (n < 2) continue;
    const points = s.values.map((v, i) => `${x(i, n).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    children.push(svg('polyline', { class: 'series ' + s.class, points }));
  }
  target.replaceChildren(...children);
}
