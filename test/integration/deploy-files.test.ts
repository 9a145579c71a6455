/**
 * The deployment files, checked without Docker or a cluster: docker-compose.yml and the kustomize base parse,
 * pin their images, set only variables services/core/config.ts knows (and values it accepts), keep secrets out,
 * and probe the paths and ports the services really serve (asked of the real apps, the API on the embedded engine).
 * When `kubectl` is on the PATH, `kubectl kustomize` builds the base too.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse, parseAllDocuments } from 'yaml'
import { createApp } from '../../services/api/app.js'
import { clickHouseEventSink } from '../../services/api/event-sink.js'
import { clickHouseCheck } from '../../services/api/readiness.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { CHANNEL_SECRET_PREFIX, isChannelSecretName } from '../../services/core/channel-secrets.js'
import { environment, loadConfig } from '../../services/core/config.js'
import { createLogger } from '../../services/core/logger.js'
import { MetricsRegistry } from '../../services/core/metrics.js'
import { PACKAGE_ROOT } from '../../services/core/package-root.js'
import { IngestHealth } from '../../services/ingest/health.js'
import { createHealthApp } from '../../services/ingest/health-server.js'
import { createMonitorHealthApp, MonitorHealth } from '../../services/monitor/health-server.js'
import { testDataDir, uniqueName } from '../support/harness.js'

type Env = Record<string, string>
interface ComposeService {
  image?: string
  build?: unknown
  command?: string[]
  environment?: Record<string, string | number | boolean>
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  'x-no-healthcheck'?: string
  profiles?: string[]
}

const read = (path: string): string => readFileSync(join(PACKAGE_ROOT, path), 'utf8')
const KNOWN = new Set(Object.keys(environment))
const SECRET_KEYS = new Set(Object.entries(environment).filter(([, v]) => 'secret' in v && v.secret === true).map(([k]) => k))
const K8S = 'deploy/kubernetes'
/** A value that is only `${VAR:?message}` comes from the shell or .env, never from the file. */
const FROM_SHELL = /^\$\{[A-Z0-9_]+:\?[^}]+\}$/
const SECRET_NAME = /PASSWORD|SECRET|TOKEN/

/** Stand-ins that the config accepts, for values the file leaves to the shell. */
function resolveShell(env: Env): Env {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, !FROM_SHELL.test(v) ? v : k === 'MODELWATCH_API_TOKENS' ? 'check:admin:0123456789abcdef' : 'stand-in']))
}

/** The one tag rule for every image: a tag, not `latest`. */
function assertPinned(image: string, where: string): void {
  const tag = /^[^@]+:([^/:@]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1]
  assert.ok(tag !== undefined, `${where}: image ${image} has no tag`)
  assert.notEqual(tag, 'latest', `${where}: image ${image} is not pinned`)
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> }
  const services = Object.entries(compose.services)
  const built = services.filter(([, s]) => s.build !== undefined).map(([, s]) => s.image)
  const modelwatch = services.filter(([, s]) => s.image !== undefined && built.includes(s.image))
  const env = (s: ComposeService): Env => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]))

  it('runs every modelwatch service of the issue from the one built image, and the others next to it', () => {
    assert.equal(built.length, 1, 'one service builds the image')
    assert.deepEqual(modelwatch.map(([, s]) => s.command?.[0]).sort(), ['api', 'demo', 'ingest', 'migrate', 'monitor'])
    for (const name of ['kafka', 'schema-registry', 'clickhouse', 'grafana', 'mailpit']) assert.ok(compose.services[name], name)
    assert.deepEqual(compose.services.demo?.profiles, ['demo'])
  })

  it('pins every image to a tag other than latest', () => {
    for (const [name, s] of services) assertPinned(s.image ?? '', name)
  })

  it('gives every modelwatch service a health check or a stated reason, on the port the service serves', () => {
    const ports: Record<string, string | undefined> = { ingest: environment.MODELWATCH_HEALTH_PORT.default, monitor: environment.MODELWATCH_MONITOR_HEALTH_PORT.default, api: environment.MODELWATCH_API_PORT.default }
    for (const [name, s] of modelwatch) {
      const reason = s['x-no-healthcheck']
      if (s.healthcheck === undefined) {
        assert.ok(typeof reason === 'string' && reason.length > 10, `${name} has neither a healthcheck nor x-no-healthcheck`)
        continue
      }
      const port = ports[s.command?.[0] ?? '']
      assert.ok(port !== undefined, `${name}: which port should its health check ask?`)
      assert.match(s.healthcheck.test.join(' '), new RegExp(`127\\.0\\.0\\.1:${port}/(healthz|readyz)`), name)
    }
  })

  it('names only services that exist in depends_on, and volumes that are declared', () => {
    for (const [name, s] of services) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(compose.services[dependency], `${name} depends on unknown ${dependency}`)
        assert.ok(['service_healthy', 'service_completed_successfully', 'service_started'].includes(condition), `${name}: ${condition}`)
        if (condition === 'service_healthy') assert.ok(compose.services[dependency]?.healthcheck, `${name} waits for ${dependency} to be healthy, which has no healthcheck`)
      }
    }
    const named = read('docker-compose.yml').matchAll(/^\s+- ([a-z-]+-data):/gm)
    for (const [, volume] of named) assert.ok(volume !== undefined && volume in compose.volumes, `volume ${volume} is declared`)
  })

  it('sets on modelwatch services only variables the config knows, with values it accepts', () => {
    for (const [name, s] of modelwatch) {
      // Channel secrets are not settings but the monitor may hold them (docs/security.md).
      const unknown = Object.keys(env(s)).filter((k) => !KNOWN.has(k) && !(name === 'monitor' && isChannelSecretName(k)))
      assert.deepEqual(unknown, [], `${name} sets variables services/core/config.ts does not read`)
      assert.doesNotThrow(() => loadConfig(resolveShell(env(s))), name)
    }
  })

  it('keeps secrets out of the file: every secret-looking variable is required from the shell or .env', () => {
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries(env(s))) {
        if (SECRET_KEYS.has(key) || SECRET_NAME.test(key)) assert.match(value, FROM_SHELL, `${name}.${key} must be \${${key}:?...}`)
      }
    }
    assert.ok(env(compose.services.api ?? {}).MODELWATCH_API_TOKENS, 'the api gets its tokens')
  })
})

interface Container {
  name: string
  image: string
  args?: string[]
  ports?: { name: string; containerPort: number }[]
  envFrom?: { configMapRef?: { name: string }; prefix?: string; secretRef?: { name: string; optional?: boolean } }[]
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]
  readinessProbe?: Probe
  livenessProbe?: Probe
  startupProbe?: Probe
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean }
  resources?: { requests?: object; limits?: object }
}
interface Probe { httpGet: { path: string; port: string | number } }
interface Manifest {
  kind: string
  metadata: { name: string }
  spec: Record<string, unknown> & { template?: { spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } } } }
}

describe('deploy/kubernetes (kustomize base)', () => {
  const kustomization = parse(read(`${K8S}/kustomization.yaml`)) as {
    resources: string[]
    configMapGenerator: { name: string; envs: string[] }[]
    images: { name: string; newTag: string }[]
  }
  const manifests = kustomization.resources.flatMap((file) => parseAllDocuments(read(`${K8S}/${file}`)).map((d) => d.toJS() as Manifest))
  const byKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind)
  const workloads = [...byKind('Deployment'), ...byKind('Job')]
  const containers = workloads.flatMap((w) => w.spec.template?.spec.containers ?? [])
  const configEnv: Env = Object.fromEntries(
    kustomization.configMapGenerator.flatMap((g) => g.envs).flatMap((f) => read(`${K8S}/${f}`).split('\n'))
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
  const effective = (key: keyof typeof environment): string | undefined => configEnv[key] ?? environment[key].default

  let ch: ClickHouse
  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('deploy') }).clickhouse)
    await migrate(ch)
  })
  after(async () => ch.close())

  it('lists files that exist and parse, and keeps the Secret out (only an .example)', () => {
    for (const file of [...kustomization.resources, ...kustomization.configMapGenerator.flatMap((g) => g.envs)]) assert.ok(existsSync(join(PACKAGE_ROOT, K8S, file)), file)
    assert.ok(manifests.every((m) => typeof m.kind === 'string' && typeof m.metadata.name === 'string'))
    assert.equal(byKind('Secret').length, 0)
    const example = parse(read(`${K8S}/modelwatch-secrets.yaml.example`)) as { kind: string; metadata: { name: string }; stringData: Env }
    assert.equal(example.kind, 'Secret')
    assert.ok(Object.values(example.stringData).every((v) => v.includes('<')), 'the example holds placeholders only')
    const referenced = containers.flatMap((c) => c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef === undefined ? [] : [e.valueFrom.secretKeyRef]))
    for (const ref of referenced) {
      assert.equal(ref.name, example.metadata.name)
      assert.ok(ref.key in example.stringData, `the example shows ${ref.key}`)
    }
  })

  it('runs ingest (autoscaled), one monitor (Recreate), two API replicas, and the migrate Job', () => {
    const deployment = (name: string) => byKind('Deployment').find((d) => d.metadata.name === `modelwatch-${name}`)
    assert.deepEqual([deployment('monitor')?.spec.replicas, deployment('monitor')?.spec.strategy], [1, { type: 'Recreate' }])
    assert.equal(deployment('api')?.spec.replicas, 2)
    const hpa = byKind('HorizontalPodAutoscaler')
    assert.deepEqual(hpa.map((h) => [(h.spec.scaleTargetRef as { name: string }).name, h.spec.maxReplicas]), [['modelwatch-ingest', 6]])
    assert.deepEqual(byKind('PodDisruptionBudget').map((p) => p.metadata.name).sort(), ['modelwatch-api', 'modelwatch-ingest'])
    assert.deepEqual(containers.map((c) => c.args?.[0]).sort(), ['api', 'ingest', 'migrate', 'monitor'])
  })

  it('uses one image, pinned by the kustomization', () => {
    const [image, ...others] = kustomization.images
    assert.ok(image !== undefined && others.length === 0)
    assertPinned(`${image.name}:${image.newTag}`, 'kustomization images')
    for (const c of containers) assert.equal(c.image, image.name, c.name)
  })

  it('references only variables the config knows, with values it accepts', () => {
    const named = [...Object.keys(configEnv), ...containers.flatMap((c) => (c.env ?? []).map((e) => e.name))]
    assert.deepEqual(named.filter((k) => !KNOWN.has(k)), [])
    assert.ok(Object.keys(configEnv).every((k) => !SECRET_KEYS.has(k)), 'no secret in the ConfigMap')
    assert.doesNotThrow(() => loadConfig(configEnv))
    const channelSecrets = { prefix: CHANNEL_SECRET_PREFIX, secretRef: { name: 'modelwatch-channel-secrets', optional: true } }
    for (const c of containers) assert.deepEqual(c.envFrom, [{ configMapRef: { name: 'modelwatch-config' } }, ...(c.args?.[0] === 'monitor' ? [channelSecrets] : [])], c.name)
    // The monitor's channel secrets carry the prefix, so a key of that Secret can never become one of modelwatch's own variables.
    const example = parse(read(`${K8S}/modelwatch-channel-secrets.yaml.example`)) as { metadata: { name: string }; stringData: Env }
    assert.equal(example.metadata.name, channelSecrets.secretRef.name)
    assert.deepEqual(Object.keys(example.stringData).filter((key) => !isChannelSecretName(`${CHANNEL_SECRET_PREFIX}${key}`)), [], 'every key makes a channel secret name')
    assert.ok(Object.values(example.stringData).every((v) => v.includes('<')), 'the example holds placeholders only')
  })

  it('probes paths the services answer, on the ports the config gives them', async () => {
    const api = createApp({ config: loadConfig({}), ch, log: createLogger('silent'), metrics: new MetricsRegistry(), events: clickHouseEventSink(ch, () => undefined), checks: [clickHouseCheck(ch)] })
    const served: Record<string, { port: string | undefined; request: (path: string) => Promise<Response> }> = {
      ingest: { port: effective('MODELWATCH_HEALTH_PORT'), request: async (p) => createHealthApp(new IngestHealth()).request(p) },
      monitor: { port: effective('MODELWATCH_MONITOR_HEALTH_PORT'), request: async (p) => createMonitorHealthApp(new MonitorHealth(60_000), new MetricsRegistry()).request(p) },
      api: { port: effective('MODELWATCH_API_PORT'), request: async (p) => api.request(p) },
    }
    for (const c of containers.filter((c) => c.args?.[0] !== 'migrate')) {
      const service = served[c.args?.[0] ?? '']
      assert.ok(service !== undefined, c.name)
      const probes = [c.readinessProbe, c.livenessProbe, c.startupProbe].filter((p) => p !== undefined)
      assert.ok(c.readinessProbe !== undefined && c.livenessProbe !== undefined, `${c.name} has readiness and liveness probes`)
      for (const probe of probes) {
        const port = typeof probe.httpGet.port === 'number' ? probe.httpGet.port : c.ports?.find((p) => p.name === probe.httpGet.port)?.containerPort
        assert.equal(String(port), service.port, `${c.name} probes ${probe.httpGet.path} on the configured port`)
        const res = await service.request(probe.httpGet.path)
        assert.equal(res.status, 200, `${c.name}: ${probe.httpGet.path} answers 200 when healthy`)
      }
    }
    for (const s of byKind('Service')) {
      const component = (s.spec.selector as Record<string, string>)['app.kubernetes.io/component']
      const target = (s.spec.ports as { targetPort: string }[])[0]?.targetPort
      const c = containers.find((c) => c.args?.[0] === component)
      assert.ok(c?.ports?.some((p) => p.name === target), `Service ${s.metadata.name} targets a port its pods name`)
    }
  })

  it('runs as non-root with a read-only root filesystem, with resources set', () => {
    for (const w of workloads) {
      assert.equal(w.spec.template?.spec.securityContext?.runAsNonRoot, true, w.metadata.name)
      for (const c of w.spec.template?.spec.containers ?? []) {
        assert.deepEqual([c.securityContext?.readOnlyRootFilesystem, c.securityContext?.allowPrivilegeEscalation], [true, false], c.name)
        assert.ok(c.resources?.requests !== undefined && c.resources.limits !== undefined, c.name)
      }
    }
  })

  it('builds with kustomize (kubectl kustomize) when kubectl is installed', (t) => {
    const built = spawnSync('kubectl', ['kustomize', join(PACKAGE_ROOT, K8S)], { encoding: 'utf8' })
    if (built.error !== undefined) return t.skip('kubectl is not installed')
    assert.equal(built.status, 0, built.stderr)
    const docs = parseAllDocuments(built.stdout).map((d) => d.toJS() as Partial<Manifest> & { metadata: { labels?: Env } })
    assert.ok(docs.every((d) => d.metadata.labels?.['app.kubernetes.io/part-of'] === 'modelwatch'))
    const images = new Set(docs.flatMap((d) => d.spec?.template?.spec.containers ?? []).map((c) => c.image))
    const [image] = kustomization.images
    assert.deepEqual([...images], [`${image?.name}:${image?.newTag}`])
  })
})
