#!/usr/bin/env bash
# `npm run config:apply -- <file.json> [--dry-run]`: Node 22 (type stripping, module hooks),
# then the script. See .scripts/config-apply.mjs.
source "$(dirname "$0")/env.sh"
exec node --experimental-strip-types --disable-warning=ExperimentalWarning .scripts/config-apply.mjs "$@"
