# Sourced by the npm scripts: makes sure Node >= 22 and the locked dependencies are there, so a
# fresh clone needs nothing but `npm start` or `npm test`. Users on Node 22+ get no detour.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false NO_UPDATE_NOTIFIER=1

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x .tools/node_modules/.bin/node ]; then
    echo "› Node $(node -v 2>/dev/null || echo missing) is older than 22; installing Node 22 (npm package node@22) into .tools/" >&2
    npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error node@22 >&2
  fi
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
fi

# Reinstall whenever the lockfile differs from the one last installed. `npm install` rather than
# `npm ci`: the registry here omits other platforms' optional packages (workerd, biome) from the
# lockfile, and `npm ci` rejects such a lockfile as out of sync; `npm install` keeps the locked
# versions all the same.
if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  echo "› installing dependencies" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json node_modules/.installed-lock
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
