/**
 * @module routes/admin/dashboard
 * `/_admin/ui/*`: the operator dashboard's static files from Workers Static Assets, with a
 * Content-Security-Policy that lets the page load and call nothing but this origin.
 */
import type { Context } from 'hono'
import type { AdminEnv } from '../../middleware/admin-auth'

const HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

export async function dashboardAsset(c: Context<AdminEnv>): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(c.req.raw)
  const response = new Response(asset.body, asset)
  for (const [name, value] of Object.entries(HEADERS)) response.headers.set(name, value)
  return response
}
