// One small bar chart per cluster: lock failures detected and unlocks that succeeded, per hour.
const SVG = 'http://www.w3.org/2000/svg';
const HOURS = 24;
const WIDTH = 480;
const HEIGHT = 90;
const BAR = WIDTH / HOURS;

function svg(tag, attributes, content) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (content !== undefined) node.textContent = content;
  return node;
}

/** Counts per hour, oldest first, of the times that fall in the last 24 hours. */
export function perHour(times, now) {
  const counts = new Array(HOURS).fill(0);
  for (const iso of times) {
    const age = now - Date.parse(iso);
    if (age >= 0 && age < HOURS * 3600_000) counts[HOURS - 1 - Math.floor(age / 3600_000)]++;
  }
  return counts;
}

function bars(counts, max, className, offset) {
  const group = svg('g', { class: className });
  counts.forEach((n, hour) => {
    if (n === 0) return;
    const h = Math.max(2, (n / max) * (HEIGHT - 14));
    const bar = svg('rect', { x: hour * BAR + offset, y: HEIGHT - h, width: BAR / 2 - 1, height: h });
    bar.append(svg('title', {}, `${n} ${className === 'failures' ? 'lock failure(s)' : 'unlock(s)'}, ${HOURS - hour} h ago`));
    group.append(bar);
  });
  return group;
}

/** One figure per cluster, from the unlocks the page knows. */
export function render(container, clusters, unlocks, now = Date.now()) {
  const figures = clusters.map(cluster => {
    const mine = unlocks.filter(u => u.cluster === cluster);
    const failures = perHour(mine.map(u => u.detectedAt).filter(Boolean), now);
    const unlocked = perHour(mine.filter(u => u.state === 'Succeeded').map(u => u.finishedAt).filter(Boolean), now);
    const max = Math.max(1, ...failures, ...unlocked);
    const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', class: 'chart' });
    chart.append(svg('title', {}, `${cluster}: ${failures.reduce((a, b) => a + b, 0)} lock failures, `
      + `${unlocked.reduce((a, b) => a + b, 0)} unlocks in the last ${HOURS} hours`));
    chart.append(svg('line', { x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5, class: 'axis' }));
    chart.append(bars(failures, max, 'failures', 0), bars(unlocked, max, 'unlocks', BAR / 2));
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = cluster;
    figure.append(caption, chart);
    return figure;
  });
  const legend = document.createElement('p');
  legend.className = 'legend';
  const f = document.createElement('span');
  f.className = 'key failures';
  f.textContent = 'lock failures';
  const u = document.createElement('span');
  u.className = 'key unlocks';
  u.textContent = 'unlocks succeeded';
  legend.append(f, u, document.createTextNode(' per hour, newest on the right'));
  container.replaceChildren(...figures, legend);
}
