import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatTable } from '../../services/cli/table.js'
import { MetricsRegistry } from '../../services/core/metrics.js'

describe('formatTable', () => {
  it('pads columns, right-aligns numbers, shows NULL and the row count', () => {
    assert.equal(
      formatTable([{ reason: 'oversized', n: 3, note: null }, { reason: 'x', n: 12, note: 'a' }]),
      'reason    |  n | note\n----------+----+-----\noversized |  3 | NULL\nx         | 12 | a\n(2 rows)\n',
    )
  })

  it('says so when there are no rows', () => {
    assert.equal(formatTable([]), '(0 rows)\n')
  })
})

describe('MetricsRegistry', () => {
  it('renders counters with labels in the Prometheus text format', () => {
    const registry = new MetricsRegistry()
    const dlq = registry.counter('x_total', 'Things.')
    dlq.inc({ reason: 'a"b' }, 2)
    dlq.inc({ reason: 'a"b' })
    registry.gauge('y', 'Read at render.', () => 1.5)
    assert.equal(registry.render(), '# HELP x_total Things.\n# TYPE x_total counter\nx_total{reason="a\\"b"} 3\n# HELP y Read at render.\n# TYPE y gauge\ny 1.5\n')
  })

  it('refuses to register one name twice', () => {
    const registry = new MetricsRegistry()
    registry.counter('x', 'x')
    assert.throws(() => registry.counter('x', 'x'), /registered twice/)
  })
})
