// Bundles the operator dashboard's one dependency at build time (wrangler.toml [build]): uPlot,
// copied from node_modules next to the dashboard so the page loads no script from another site.
// A file already up to date is not written again: the copy lands in the build's own watch_dir,
// so an unconditional write makes every `wrangler dev` in this folder rebuild the others, which
// rebuild it back, and a second dev session (the bench's compressed-text platform) never started.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vendor = join(root, 'workers/dashboard/public/_admin/ui/vendor')
mkdirSync(vendor, { recursive: true })
for (const file of ['uPlot.iife.min.js', 'uPlot.min.css']) {
  const from = join(root, 'node_modules/uplot/dist', file)
  const to = join(vendor, file)
  if (!sameContent(from, to)) copyFileSync(from, to)
}

function sameContent(a, b) {
  try {
    return readFileSync(a).equals(readFileSync(b))
  } catch {
    return false
  }
}
