/**
 * Every resource of the API. A new resource is a file in this folder exporting a `MountRoutes`, and one line here.
 */
import type { MountRoutes } from '../deps.js'
import { alertRoutes } from './alerts.js'
import { channelRoutes } from './channels.js'
import { compareRoutes } from './compare.js'
import { deliveryRoutes } from './deliveries.js'
import { eventRoutes } from './events.js'
import { healthRoutes } from './health.js'
import { modelRoutes } from './models.js'
import { monitorRoutes } from './monitors.js'
import { resultRoutes } from './results.js'
import { silenceRoutes } from './silences.js'
import { stageRoutes } from './stages.js'
import { statusPageRoutes } from './status-page.js'
import { versionRoutes } from './versions.js'

export const ROUTES: readonly MountRoutes[] = [healthRoutes, modelRoutes, resultRoutes, eventRoutes, versionRoutes, monitorRoutes, alertRoutes, silenceRoutes, channelRoutes, deliveryRoutes, statusPageRoutes, compareRoutes, stageRoutes]
