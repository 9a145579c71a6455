// A line chart in plain SVG, one line per series (a model version), built with DOM calls so every label is
// text content. The tables beside each chart hold the same figures for readers who cannot see it.

const SVG = 'http://www.w3.org/2000/svg'
const WIDTH = 480
const HEIGHT = 180
const PAD = { left: 52, right: 12, top: 12, bottom: 40 }
/** Distinguishable for common colour blindness, each at least 4.5:1 against white. */
const COLOURS = ['#1f5fad', '#b3480b', '#2e7d32', '#7b3294', '#8a6d00', '#c2185b']

function svg(name, attributes = {}, text) {
  const el = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value))
  if (text !== undefined) el.textContent = text
  return el
}

const label = (v) => (Math.abs(v) >= 1000 ? v.toLocaleString('en', { maximumFractionDigits: 0 }) : Number(v.toPrecision(3)).toString())
const day = (ms) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ')

/**
 * Draws `series` ([{ name, points: [{ x: ms, y: number | null }] }]) into `container`, replacing what was there.
 * A null y is a gap (an undefined metric), not a zero.
 *
 * @example
 * lineChart(document.getElementById('volume-chart'), [{ name: '1', points: [{ x: Date.now(), y: 200 }] }], 'Predictions per window')
 */
export function lineChart(container, series, title) {
  const points = series.flatMap((s) => s.points).filter((p) => p.y !== null)
  if (points.length === 0) {
    const empty = document.createElement('p')
    empty.className = 'empty'
    empty.textContent = 'No windows computed yet.'
    return container.replaceChildren(empty)
  }
  const xs = points.map((p) => p.x)
  const ys = points.map((p) => p.y)
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys, 0), Math.max(...ys)]
  if (x0 === x1) [x0, x1] = [x0 - 3_600_000, x1 + 3_600_000]
  if (y0 === y1) y1 = y0 + 1
  const sx = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (WIDTH - PAD.left - PAD.right)
  const sy = (y) => HEIGHT - PAD.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - PAD.top - PAD.bottom)

  const id = `${container.id}-title`
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT + 20 * Math.ceil(series.length / 3)}`, role: 'img', 'aria-labelledby': id })
  root.append(svg('title', { id }, title))
  const axis = { stroke: '#595959', 'stroke-width': 1 }
  root.append(svg('line', { x1: PAD.left, y1: sy(y0), x2: WIDTH - PAD.right, y2: sy(y0), ...axis }))
  root.append(svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: HEIGHT - PAD.bottom, ...axis }))
  for (const y of [y0, (y0 + y1) / 2, y1]) root.append(svg('text', { x: PAD.left - 6, y: sy(y) + 4, 'text-anchor': 'end', class: 'tick' }, label(y)))
  // Ticks at the first and last window drawn (one tick when there is one window), not at the padded domain.
  const [first, last] = [Math.min(...xs), Math.max(...xs)]
  const tickY = HEIGHT - PAD.bottom + 16
  if (first === last) root.append(svg('text', { x: sx(first), y: tickY, 'text-anchor': 'middle', class: 'tick' }, `${day(first)} UTC`))
  else {
    root.append(svg('text', { x: sx(first), y: tickY, class: 'tick' }, day(first)))
    root.append(svg('text', { x: sx(last), y: tickY, 'text-anchor': 'end', class: 'tick' }, `${day(last)} UTC`))
  }

  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]
    const sorted = [...s.points].sort((a, b) => a.x - b.x)
    // A gap (null) starts a new segment, so an undefined window is never drawn as a value.
    const segments = [[]]
    for (const p of sorted) p.y === null ? segments.push([]) : segments.at(-1).push(p)
    for (const segment of segments.filter((g) => g.length > 0)) {
      root.append(svg('polyline', { points: segment.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 }))
      for (const p of segment) {
        const dot = svg('circle', { cx: sx(p.x), cy: sy(p.y), r: 3, fill: colour })
        dot.append(svg('title', {}, `version ${s.name}, ${day(p.x)} UTC: ${label(p.y)}`))
        root.append(dot)
      }
    }
    const lx = PAD.left + (i % 3) * 140
    const ly = HEIGHT + 20 * Math.floor(i / 3) - 4
    root.append(svg('rect', { x: lx, y: ly - 9, width: 10, height: 10, fill: colour }))
    // Long names are cut to fit the legend's column; the full name is the text's tooltip.
    const name = s.name.length > 12 ? `${s.name.slice(0, 11)}…` : s.name
    const legend = svg('text', { x: lx + 14, y: ly, class: 'legend' }, `version ${name}`)
    legend.append(svg('title', {}, `version ${s.name}`))
    root.append(legend)
  })
  container.replaceChildren(root)
}
