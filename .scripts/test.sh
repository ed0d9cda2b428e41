#!/usr/bin/env bash
# `npm test`: static checks (types, lint, generated types, a deploy dry run), then every suite.
# When the local S3 server (moto) is installed but not running, it is started for the run and
# stopped afterwards; when it is not installed, the S3 tests skip and say how to install it.
source "$(dirname "$0")/env.sh"
npm run --silent check
if [ -z "${S3_ENDPOINT:-}" ] && bash .scripts/s3-moto.sh installed && ! bash .scripts/s3-moto.sh status >/dev/null; then
  bash .scripts/s3-moto.sh start
  trap 'bash .scripts/s3-moto.sh stop' EXIT
fi
vitest run --config test/vitest.config.ts "$@"
