// The status page: asks for a read token (kept in sessionStorage, sent only as a bearer header), then reads
// the /v1 API, /metrics and /readyz and fills the page's tables and charts. Whatever the API answers reaches
// the page as textContent or SVG attribute values, never as markup. Served by routes/status-page.ts.
import { lineChart } from './chart.js'

const TOKEN_KEY = 'modelwatch.read-token'
const REFRESH_MS = 30_000
const WINDOWS_CHARTED = 24
const WINDOWS_LISTED = 12
/** The metric a model's row and chart show, by task (names as in window_metrics). */
const KEY_METRIC = { binary_classification: 'roc_auc', multiclass_classification: 'accuracy', regression: 'rmse' }

const $ = (id) => document.getElementById(id)
const state = { models: [], model: '', version: '', timer: 0, stored: undefined }

class ApiError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? ''
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' })
  if (!res.ok) {
    // Problem documents carry a detail that says what to do; anything else is named by its status.
    const problem = await res.json().catch(() => ({}))
    throw new ApiError(res.status, `${path} answered ${res.status}: ${typeof problem.detail === 'string' ? problem.detail : res.statusText}`)
  }
  return (res.headers.get('content-type') ?? '').includes('json') ? res.json() : res.text()
}

const query = (params) => new URLSearchParams(params).toString()
const modelPath = (model, rest) => `/v1/models/${encodeURIComponent(model)}/${rest}`
const time = (iso) => (iso === null || iso === undefined ? '—' : `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`)
const num = (v, digits = 3) => (v === null || v === undefined ? '—' : Number(v).toLocaleString('en', { maximumFractionDigits: digits }))
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`)

function cell(content, { header = false, className = '' } = {}) {
  const el = document.createElement(header ? 'th' : 'td')
  if (header) el.scope = 'row'
  if (className) el.className = className
  el.textContent = content
  return el
}

function fill(tableId, rows, emptyText) {
  const table = $(tableId)
  if (rows.length === 0) {
    const td = cell(emptyText, { className: 'empty' })
    td.colSpan = table.tHead.rows[0].cells.length
    rows = [[td]]
  }
  table.tBodies[0].replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr')
    tr.append(...cells)
    return tr
  }))
}

function showError(id, message) {
  const el = $(id)
  el.textContent = message
  el.hidden = message === ''
}

/** One model's windows (all traffic, its default window length) per version: Map version → window rows, newest first. */
async function windowsOf(model) {
  const metrics = ['count', 'label_coverage', KEY_METRIC[model.task]]
  const answers = await Promise.all(metrics.map((metric) =>
    api(`${modelPath(model.name, 'windows')}?${query({ segment: '', window: model.default_window, metric, limit: '2000' })}`)))
  const byVersion = new Map()
  answers.forEach((answer, i) => {
    for (const row of answer.items) {
      const windows = byVersion.get(row.model_version) ?? new Map()
      byVersion.set(row.model_version, windows)
      const w = windows.get(row.window_start) ?? { start: row.window_start, version: row.model_version, final: row.is_final }
      w[['count', 'coverage', 'key'][i]] = row.value
      windows.set(row.window_start, w)
    }
  })
  return new Map([...byVersion].map(([version, windows]) => [version, [...windows.values()].sort((a, b) => b.start.localeCompare(a.start))]))
}

const stateText = (w) => (w === undefined ? '—' : w.final ? 'final' : 'provisional')

/** The latest window's key metric, or, while it is undefined there (labels not in yet), the latest window that has one. */
function keyMetricText(model, windows) {
  const latest = windows[0]
  const known = windows.find((w) => w.key !== null && w.key !== undefined)
  const text = `${KEY_METRIC[model.task]} ${num(known?.key)}`
  return known === undefined || known === latest ? text : `${text} (window ${time(known.start)})`
}

async function renderModels() {
  const rows = []
  for (const model of state.models) {
    const [versions, windows] = await Promise.all([api(modelPath(model.name, 'versions')), windowsOf(model)])
    model.windows = windows
    model.versions = versions.items.map((v) => v.version)
    for (const version of model.versions.length > 0 ? model.versions : ['']) {
      const latest = windows.get(version)?.[0]
      rows.push([
        cell(model.name, { header: true }), cell(model.task.replaceAll('_', ' ')), cell(version === '' ? '(none yet)' : version),
        cell(time(latest?.start)), cell(num(latest?.count, 0), { className: 'num' }), cell(pct(latest?.coverage), { className: 'num' }),
        cell(keyMetricText(model, windows.get(version) ?? [])), cell(stateText(latest)),
      ])
    }
  }
  fill('models', rows, 'No models registered yet: modelwatch model create, or POST /v1/models.')
}

function setOptions(select, values, current) {
  select.replaceChildren(...values.map((value) => {
    const option = document.createElement('option')
    option.value = value
    option.textContent = value
    return option
  }))
  const chosen = values.includes(current) ? current : (values[0] ?? '')
  select.value = chosen
  return chosen
}

function renderDetail() {
  state.model = setOptions($('model-select'), state.models.map((m) => m.name), state.model)
  const model = state.models.find((m) => m.name === state.model)
  state.version = setOptions($('version-select'), model?.versions ?? [], state.version)
  const windows = model?.windows ?? new Map()
  const key = model === undefined ? 'Key metric' : KEY_METRIC[model.task]
  $('metric-chart-title').textContent = `${key} per window`
  $('windows-metric').textContent = key
  const series = (field) => [...windows].map(([version, ws]) => ({ name: version, points: ws.slice(0, WINDOWS_CHARTED).map((w) => ({ x: Date.parse(w.start), y: w[field] ?? null })) }))
  lineChart($('metric-chart'), series('key'), `${key} per window and version`)
  lineChart($('volume-chart'), series('count'), 'Predictions per window and version')
  const starts = [...new Set([...windows.values()].flat().map((w) => w.start))].sort().reverse().slice(0, WINDOWS_LISTED)
  const listed = [...windows.values()].flat().filter((w) => starts.includes(w.start)).sort((a, b) => b.start.localeCompare(a.start) || a.version.localeCompare(b.version))
  fill('windows', listed.map((w) => [
    cell(time(w.start), { header: true }), cell(w.version), cell(num(w.count, 0), { className: 'num' }),
    cell(pct(w.coverage), { className: 'num' }), cell(num(w.key), { className: 'num' }), cell(stateText(w)),
  ]), 'No windows computed yet.')
}

/** 0 (low) to 3 (very high), against the default thresholds; p-value methods (ks, chi2) run the other way. */
function driftLevel({ drift_method: method, drift_score: score }) {
  if (score === null) return undefined
  const pValue = method === 'ks' || method === 'chi2'
  return (pValue ? [0.2, 0.05, 0.01] : [0.05, 0.1, 0.2]).filter((cut) => (pValue ? score < cut : score >= cut)).length
}

async function renderDrift() {
  const model = state.models.find((m) => m.name === state.model)
  if (model === undefined || state.version === '') {
    $('drift-summary').textContent = ''
    return fill('drift', [], 'No model version to show.')
  }
  const { items } = await api(`${modelPath(model.name, 'drift')}?${query({ version: state.version, segment: '', window: model.default_window, limit: '1000' })}`)
  const latest = items.filter((r) => r.window_start === items[0]?.window_start)
  const order = (r) => (r.column === '__dataset__' ? 0 : r.drifted ? 1 : 2)
  latest.sort((a, b) => order(a) - order(b) || a.column.localeCompare(b.column))
  const drifted = latest.filter((r) => r.drifted && r.column !== '__dataset__').map((r) => r.column)
  $('drift-summary').textContent = latest.length === 0 ? '' :
    `${model.name} version ${state.version}, window ${time(latest[0].window_start)}: ${drifted.length === 0 ? 'no column drifted' : `drifted: ${drifted.join(', ')}`}.`
  fill('drift', latest.map((r) => {
    const level = driftLevel(r)
    return [
      cell(r.column, { header: true }), cell(r.kind), cell(r.drift_method), cell(num(r.drift_score, 4), { className: `num${level === undefined ? '' : ` drift-${level}`}` }),
      cell(r.drifted ? 'drifted' : 'no', { className: r.drifted ? 'drifted' : '' }), cell(num(r.psi, 4), { className: 'num' }),
      cell(pct(r.missing_share), { className: 'num' }), cell(`${num(r.n_current, 0)} / ${num(r.n_reference, 0)}`, { className: 'num' }),
    ]
  }), 'No drift computed for this version yet.')
}

async function renderAlerts() {
  const { items } = await api(`/v1/alerts?${query({ status: 'firing,pending', limit: '200' })}`)
  fill('alerts', items.map((a) => [
    cell(a.severity, { header: true, className: `severity-${a.severity}` }), cell(a.status, { className: `status-${a.status}` }), cell(a.monitor),
    cell(`${a.model} / ${a.model_version}${a.segment === '' ? '' : ` (${a.segment})`}`), cell(a.column === '' ? '—' : a.column), cell(a.statistic),
    cell(num(a.value, 4), { className: 'num' }), cell(a.condition), cell(`${time(a.window_start)} – ${time(a.window_end)}`),
  ]), 'No open alerts.')
}

/** Prometheus text as [name, labels, value] samples. */
function parseMetrics(text) {
  const samples = []
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) continue
    const labels = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c))
    samples.push([match[1], labels, Number(match[3])])
  }
  return samples
}

async function renderPipeline() {
  const ready = await fetch('/readyz', { cache: 'no-store' }).then((res) => res.json())
  fill('readiness', Object.entries(ready.checks ?? {}).map(([name, check]) => [
    cell(name, { header: true }), cell(check.ok ? 'ok' : 'failing', { className: check.ok ? 'ok' : 'drifted' }), cell(num(check.ms, 0), { className: 'num' }), cell(check.error ?? ''),
  ]), 'No readiness checks configured.')
  const samples = parseMetrics(await api('/metrics'))
  const of = (name) => samples.filter(([n]) => n === name)
  const now = Date.now()
  const stored = new Map(of('modelwatch_ingest_events_stored_total').map(([, l, v]) => [l.table ?? '', v]))
  const previous = state.stored
  state.stored = { at: now, values: stored }
  const none = 'None reported by this process.'
  fill('ingest', [...stored].map(([table, total]) => {
    const before = previous?.values.get(table)
    const rate = before === undefined ? 'next refresh' : num((total - before) / ((now - previous.at) / 1000), 2)
    return [cell(table, { header: true }), cell(num(total, 0), { className: 'num' }), cell(rate, { className: 'num' })]
  }), none)
  fill('dlq', of('modelwatch_ingest_dead_letters_total').map(([, l, v]) => [cell(l.reason ?? '', { header: true }), cell(num(v, 0), { className: 'num' })]), none)
  fill('deliveries', of('modelwatch_deliveries_total').map(([, l, v]) => [
    cell(l.channel_type ?? '', { header: true }), cell(l.outcome ?? ''), cell(num(v, 0), { className: 'num' }),
  ]), none)
}

/** Re-reads everything; a failing section is reported, the others still show. */
async function refresh() {
  const failures = []
  const attempt = async (render) => render().catch((error) => {
    if (error instanceof ApiError && error.status === 401) throw error
    failures.push(error.message)
  })
  try {
    state.models = (await api('/v1/models')).items
    await attempt(renderModels)
    renderDetail()
    await Promise.all([attempt(renderDrift), attempt(renderAlerts), attempt(renderPipeline)])
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(`The API refused the token. ${error.message}`)
    failures.push(error.message)
  }
  showError('status-error', failures.join('\n'))
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY)
  clearInterval(state.timer)
  Object.assign(state, { models: [], stored: undefined })
  $('status').hidden = true
  $('controls').hidden = true
  $('sign-in').hidden = false
  showError('sign-in-error', message)
  $('token').focus()
}

async function signIn() {
  $('sign-in').hidden = true
  $('status').hidden = false
  $('controls').hidden = false
  await refresh()
  clearInterval(state.timer)
  if (sessionStorage.getItem(TOKEN_KEY) !== null) state.timer = setInterval(refresh, REFRESH_MS)
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault()
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim())
  $('token').value = ''
  showError('sign-in-error', '')
  void signIn()
})
$('refresh').addEventListener('click', () => void refresh())
$('forget').addEventListener('click', () => signOut(''))
$('model-select').addEventListener('change', (event) => {
  state.model = event.target.value
  state.version = ''
  renderDetail()
  renderDrift().catch((error) => showError('status-error', error.message))
})
$('version-select').addEventListener('change', (event) => {
  state.version = event.target.value
  renderDrift().catch((error) => showError('status-error', error.message))
})
if (sessionStorage.getItem(TOKEN_KEY) !== null) void signIn()
