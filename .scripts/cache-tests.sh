#!/usr/bin/env bash
# `npm run bench:cache-tests`: the cache-tests.fyi conformance suite (npm `http-cache-tests`)
# through the platform (test/bench/cache-tests/run.ts). The suite is installed into
# .tools/cache-tests on first use; it is not a project dependency.
source "$(dirname "$0")/env.sh"

SUITE_VERSION=0.4.5
if [ ! -f .tools/cache-tests/node_modules/http-cache-tests/package.json ] ||
  ! grep -q "\"version\": \"$SUITE_VERSION\"" .tools/cache-tests/node_modules/http-cache-tests/package.json; then
  echo "› installing http-cache-tests@$SUITE_VERSION into .tools/cache-tests" >&2
  npm install --prefix .tools/cache-tests --no-audit --no-fund --no-save "http-cache-tests@$SUITE_VERSION" >&2
fi

exec node --experimental-strip-types --no-warnings --import ./test/bench/register.mjs test/bench/cache-tests/run.ts "$@"
