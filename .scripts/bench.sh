#!/usr/bin/env bash
# `npm run bench`: load, latency, CPU, memory, collapsing and bundle figures, side by side with a
# bare Worker and nginx proxy_cache (test/bench/run.ts). Never part of `npm test`.
# Installs Debian's wrk and nginx when missing (bench-tools.sh).
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/bench-tools.sh"

exec node --experimental-strip-types --no-warnings --import ./test/bench/register.mjs test/bench/run.ts "$@"
