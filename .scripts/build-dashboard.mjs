// Bundles the operator dashboard's one dependency at build time (wrangler.toml [build]): uPlot,
// copied from node_modules next to the dashboard so the page loads no script from another site.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vendor = join(root, 'workers/dashboard/public/_admin/ui/vendor')
mkdirSync(vendor, { recursive: true })
for (const file of ['uPlot.iife.min.js', 'uPlot.min.css']) {
  copyFileSync(join(root, 'node_modules/uplot/dist', file), join(vendor, file))
}
