#!/usr/bin/env bash
# `npm start`: local D1 migrated and seeded, local R2 holding the demo objects, then `wrangler dev`
# on $PORT (default 8787). With ORIGIN_URL set, proxy mode: every host and path is served through
# the cache from that HTTP origin instead of the demo zone.
source "$(dirname "$0")/env.sh"
PORT=${PORT:-8787}
# Local state (D1, R2, Durable Objects, cache) lives in .wrangler/state unless EDGE_STATE_DIR says.
export EDGE_STATE_DIR=${EDGE_STATE_DIR:-.wrangler/state}
persist=(--persist-to "$EDGE_STATE_DIR")

wrangler d1 migrations apply CONFIG_DB --local "${persist[@]}"
if [ -n "${ORIGIN_URL:-}" ]; then
  wrangler d1 execute CONFIG_DB --local "${persist[@]}" --command "DELETE FROM zones WHERE name = 'demo'"
  echo "› proxy mode: every host is served from $ORIGIN_URL"
else
  node .scripts/seed-demo.mjs
fi
args=(--port "$PORT" "${persist[@]}")
[ -z "${ORIGIN_URL:-}" ] || args+=(--var "ORIGIN_URL:$ORIGIN_URL")
exec wrangler dev "${args[@]}"
