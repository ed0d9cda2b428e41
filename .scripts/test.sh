#!/usr/bin/env bash
# `npm test`: static checks (types, lint, generated types, a deploy dry run), then every suite.
source "$(dirname "$0")/env.sh"
npm run --silent check
vitest run --config test/vitest.config.ts "$@"
