#!/usr/bin/env bash
# `npm run soak` (issue #8): a fixed request rate for several minutes over a mixed workload
# against `wrangler dev` in proxy mode; fails on any unexpected answer or when the Worker's V8
# heap grows; workerd RSS is reported (test/bench/soak/run.ts). Never part of `npm test`. Quick run: SOAK_SECONDS=30 npm run soak.
source "$(dirname "$0")/env.sh"

exec node --experimental-strip-types --no-warnings --import ./test/bench/register.mjs test/bench/soak/run.ts "$@"
