/**
 * The built-in status page: `GET /` and its static assets under `/status-page/` (HTML, the page's script and
 * its chart module, CSS, an icon), served without a token so a browser can load them; the page then asks for
 * a read token and reads only the /v1 API, /metrics and /readyz with it. The assets are read once when the app
 * is built and answered with a Content-Security-Policy that allows no inline script or style and no other
 * origin, so nothing the API returns can run as code even if the page's own escaping failed.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../../core/package-root.js'
import type { MountRoutes } from '../deps.js'
import { problem } from '../problem.js'

const ASSETS_DIR = join(PACKAGE_ROOT, 'services', 'api', 'status-page')

/** Each public path, the file it answers with, and its media type. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/status-page/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/status-page/chart.js': { file: 'chart.js', type: 'text/javascript; charset=utf-8' },
  '/status-page/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/status-page/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
}

/** The paths authentication lets through: the page's code and looks, never data. */
export const STATUS_PAGE_PATHS: readonly string[] = Object.keys(ASSETS)

/**
 * Only this origin, for scripts, styles, images and the API calls; no inline script or style, no framing,
 * and no form may submit anywhere (the token form is handled by the script, never sent as a query).
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS = {
  'content-security-policy': STATUS_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

export const statusPageRoutes: MountRoutes = (app) => {
  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    const body = readFileSync(join(ASSETS_DIR, file))
    app.get(path, (c) => {
      // A token in a URL ends up in history, logs and Referer headers; the page asks for it instead.
      if (c.req.query('token') !== undefined) {
        return problem(c, 'REQUEST_INVALID', 'the status page does not take a token in the URL (it would be kept in history and logs); open / and enter the token in the page', {
          errors: [{ in: 'query', path: '/token', message: 'not accepted; enter the token in the page' }],
        })
      }
      return c.body(body, 200, { 'content-type': type, ...SECURITY_HEADERS })
    })
  }
}
