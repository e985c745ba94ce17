// Draws each <figure data-chart> of the dashboard with uPlot: one line per series over the days. The numbers
// and labels come from the attribute as JSON (parsed, never evaluated); uPlot paints labels on a canvas.
const COLOURS = ['#3d5afe', '#00a676', '#f59f00', '#e8590c', '#7048e8', '#1098ad', '#d6336c', '#5c940d', '#868e96', '#364fc7'];

function draw(figure) {
  const { days, series } = JSON.parse(figure.dataset.chart);
  const keys = Object.keys(series).sort();
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const width = Math.max(280, figure.clientWidth);
  const opts = {
    width,
    height: 220,
    scales: { x: { time: true } },
    series: [{}, ...keys.map((k, i) => ({ label: k, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: days.length <= 31 } }))],
    axes: [{}, { size: 40 }],
  };
  const plot = new uPlot(opts, [xs, ...keys.map((k) => series[k])], figure);
  new ResizeObserver(() => plot.setSize({ width: Math.max(280, figure.clientWidth), height: 220 })).observe(figure);
}

for (const figure of document.querySelectorAll('figure[data-chart]')) draw(figure);
