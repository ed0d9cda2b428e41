#!/usr/bin/env bash
# `npm start`: local D1 migrated and seeded, local R2 holding the demo objects, then `wrangler dev`
# on $PORT (default 8787). With ORIGIN_URL set, proxy mode: every host and path is served through
# the cache from that HTTP origin instead of the demo zone.
source "$(dirname "$0")/env.sh"
PORT=${PORT:-8787}
# Local state (D1, R2, Durable Objects, cache) lives in .wrangler/state unless EDGE_STATE_DIR says.
export EDGE_STATE_DIR=${EDGE_STATE_DIR:-.wrangler/state}
persist=(--persist-to "$EDGE_STATE_DIR")

# The admin API's bootstrap token (the ADMIN_TOKEN secret): generated into the gitignored
# .dev.vars on first start, never committed, never printed.
if ! grep -qs '^ADMIN_TOKEN=' .dev.vars; then
  [ ! -s .dev.vars ] || [ -z "$(tail -c1 .dev.vars)" ] || echo >>.dev.vars
  echo "ADMIN_TOKEN=ecdn_admin_$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('base64url'))")" >>.dev.vars
  chmod 600 .dev.vars
  echo "› generated the admin bootstrap token: ADMIN_TOKEN in $ROOT/.dev.vars"
else
  echo "› admin API: /_admin, bootstrap token ADMIN_TOKEN in $ROOT/.dev.vars"
fi

wrangler d1 migrations apply CONFIG_DB --local "${persist[@]}"
if [ -n "${ORIGIN_URL:-}" ]; then
  wrangler d1 execute CONFIG_DB --local "${persist[@]}" --command "DELETE FROM zones WHERE name = 'demo'"
  # Zone `default` (host `*`, origin ORIGIN_URL) is upserted into D1 by the Worker itself before
  # it first reads config or answers an admin call (workers/config/proxy-zone.ts), so that
  # `wrangler dev --var ORIGIN_URL:…` and deployments get it the same way.
  echo "› proxy mode: every host is served from $ORIGIN_URL (zone default)"
else
  node .scripts/seed-demo.mjs
fi
# workerd has no Durable Object jurisdictions: the one local difference from a deploy.
args=(--port "$PORT" "${persist[@]}" --var TIER_JURISDICTIONS:off)
[ -z "${ORIGIN_URL:-}" ] || args+=(--var "ORIGIN_URL:$ORIGIN_URL")
exec wrangler dev "${args[@]}"
