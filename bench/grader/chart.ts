/**
 * A small SVG line chart for the benches (no dependency): one x axis in seconds, a few
 * series of counts sampled over time.
 */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

const W = 720;
const H = 320;
const PAD = { left: 48, right: 160, top: 28, bottom: 36 };

const xml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function lineChart(title: string, xLabel: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...ys);
  const px = (x: number) => PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const ticks = (max: number, n: number) =>
    Array.from({ length: n + 1 }, (_, i) => Math.round(((max * i) / n) * 10) / 10);
  const grid = [
    ...ticks(xMax, 8).map(
      (x) =>
        `<line x1="${px(x)}" y1="${py(0)}" x2="${px(x)}" y2="${py(yMax)}" stroke="#eee"/>` +
        `<text x="${px(x)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${x}</text>`,
    ),
    ...ticks(yMax, 5).map(
      (y) =>
        `<line x1="${px(0)}" y1="${py(y)}" x2="${px(xMax)}" y2="${py(y)}" stroke="#eee"/>` +
        `<text x="${PAD.left - 6}" y="${py(y) + 4}" text-anchor="end">${Math.round(y)}</text>`,
    ),
  ];
  const lines = series.map((s, i) => {
    const path = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const ly = PAD.top + 16 + i * 18;
    return (
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${path}"/>` +
      `<line x1="${W - PAD.right + 12}" y1="${ly - 4}" x2="${W - PAD.right + 30}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>` +
      `<text x="${W - PAD.right + 36}" y="${ly}">${xml(s.name)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="16" font-size="13" font-weight="bold">${xml(title)}</text>`,
    ...grid,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(xMax)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(yMax)}" stroke="#333"/>`,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 6}" text-anchor="middle">${xml(xLabel)}</text>`,
    ...lines,
    '</svg>',
  ].join('\n');
}
