#!/usr/bin/env bash
# Local S3 origin for tests and development: moto's S3 server (Debian trixie python3-moto, pure
# Python) run by Debian bookworm's /usr/bin/python3, with everything unpacked under $S3_DIR and
# nothing installed system-wide. Requests are SigV4-verified: the first 3 requests after start
# create an IAM user and key (INITIAL_NO_AUTH_ACTION_COUNT=3), every later one must be signed.
# See ../shared/S3-SERVER.md.
#
# Usage: s3-moto.sh install|installed|start|stop|status|env   (env: S3_DIR=.s3/moto  S3_PORT=19008)
#   install  download and unpack moto + dependencies (idempotent; needs root for apt-get)
#   start    start moto, or reuse the one already running from $S3_DIR; writes
#            $S3_DIR/state/credentials.env (S3_ENDPOINT S3_REGION S3_KEY S3_SECRET)
#   stop     stop the process `start` recorded
#   installed exit 0 if moto is unpacked here
#   status   exit 0 if moto is up and answering
#   env      print `export S3_...=...` lines:  eval "$(bash .scripts/s3-moto.sh env)"
#            (or: set -a; . .s3/moto/state/credentials.env; set +a)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# a relative S3_DIR is taken from the project root, so the script works from any directory
S3_DIR=$(cd "$ROOT" && realpath -m "${S3_DIR:-.s3/moto}")
S3_PORT=${S3_PORT:-19008}
R=$S3_DIR/root
D=$S3_DIR/state
PY=/usr/bin/python3 # Debian's python: only it sees Debian's python3-cryptography / yaml

alive() { [ -f "$D/pid" ] && kill -0 "$(cat "$D/pid")" 2>/dev/null; }
answering() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/moto-api/"; }

case "${1:-}" in
install)
  [ -d "$R/usr/lib/python3/dist-packages/moto" ] && { echo "moto already unpacked in $R"; exit 0; }
  mkdir -p "$R" "$S3_DIR/debs" "$S3_DIR/apt/lists/partial" "$S3_DIR/apt/cache/archives/partial"
  # the Debian mirror the machine already uses, trixie suite, in a private index
  MIRROR=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -- -security | head -1 || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  echo "deb $MIRROR trixie main" >"$S3_DIR/apt/trixie.list"
  TRIXIE="-o Dir::Etc::sourcelist=$S3_DIR/apt/trixie.list -o Dir::Etc::sourceparts=/nonexistent -o Dir::State::Lists=$S3_DIR/apt/lists -o Dir::Cache=$S3_DIR/apt/cache"
  # shellcheck disable=SC2086
  apt-get $TRIXIE update -qq # private trixie index; the machine's sources stay untouched
  # shellcheck disable=SC2086
  (cd "$S3_DIR/debs" && apt-get $TRIXIE -o APT::Sandbox::User=root download python3-moto)
  apt-get update -qq # the machine's own bookworm index, for moto's dependencies
  DEPS="python3-boto3 python3-botocore python3-flask python3-flask-cors python3-werkzeug python3-responses python3-xmltodict python3-jinja2 python3-dateutil python3-cryptography python3-requests python3-yaml"
  # shellcheck disable=SC2086
  MISSING=$(apt-get install -s --no-install-recommends $DEPS 2>/dev/null | awk '/^Inst /{print $2}')
  # shellcheck disable=SC2086
  [ -z "$MISSING" ] || (cd "$S3_DIR/debs" && apt-get -o APT::Sandbox::User=root download $MISSING)
  for f in "$S3_DIR"/debs/*.deb; do dpkg-deb -x "$f" "$R"; done
  PYTHONPATH=$R/usr/lib/python3/dist-packages $PY -c 'import moto, botocore, flask; print("moto", moto.__version__, "botocore", botocore.__version__, "flask", flask.__version__)'
  ;;
start)
  if alive && answering && [ -s "$D/credentials.env" ]; then
    echo "moto S3 already running on http://127.0.0.1:$S3_PORT, pid $(cat "$D/pid"), credentials in $D/credentials.env"
    exit 0
  fi
  [ -d "$R/usr/lib/python3/dist-packages/moto" ] || {
    echo "moto is not installed in $R; run: bash .scripts/s3-moto.sh install" >&2
    exit 1
  }
  if alive; then "$0" stop; fi # a half-started leftover of ours: its keys are unknown
  if answering; then
    echo "port $S3_PORT is taken by a process this script did not start; set S3_PORT" >&2
    exit 1
  fi
  export PYTHONPATH=$R/usr/lib/python3/dist-packages
  mkdir -p "$D"
  rm -f "$D/credentials.env"
  t0=$(date +%s%N)
  INITIAL_NO_AUTH_ACTION_COUNT=3 setsid $PY -m moto.server -H 127.0.0.1 -p "$S3_PORT" >"$D/moto.log" 2>&1 </dev/null &
  echo $! >"$D/pid"
  for _ in $(seq 1 150); do answering && break; sleep 0.1; done
  answering || { echo "moto did not come up; see $D/moto.log" >&2; "$0" stop; exit 1; }
  # written to a temp file first, so a reader never sees half a credentials file
  (umask 077 && $PY - "http://127.0.0.1:$S3_PORT" >"$D/credentials.env.tmp") <<'PY'
import boto3, json, sys
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='bootstrap', aws_secret_access_key='bootstrap')
iam.create_user(UserName='ci')
iam.put_user_policy(UserName='ci', PolicyName='all', PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
k = iam.create_access_key(UserName='ci')['AccessKey']
print(f"S3_ENDPOINT={sys.argv[1]}\nS3_REGION=us-east-1\nS3_KEY={k['AccessKeyId']}\nS3_SECRET={k['SecretAccessKey']}")
PY
  mv "$D/credentials.env.tmp" "$D/credentials.env"
  ms=$((($(date +%s%N) - t0) / 1000000))
  echo "moto S3 on http://127.0.0.1:$S3_PORT after ${ms} ms, pid $(cat "$D/pid"), credentials in $D/credentials.env"
  ;;
stop)
  [ -f "$D/pid" ] || exit 0
  P=$(cat "$D/pid")
  kill "$P" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$P" 2>/dev/null || true
  rm -f "$D/pid" "$D/credentials.env"
  echo "stopped moto ($P)"
  ;;
installed)
  [ -d "$R/usr/lib/python3/dist-packages/moto" ]
  ;;
status)
  if alive && answering; then echo "moto S3 up on http://127.0.0.1:$S3_PORT, pid $(cat "$D/pid")"; else
    echo "moto S3 not running (start: bash .scripts/s3-moto.sh start)" >&2
    exit 1
  fi
  ;;
env)
  [ -s "$D/credentials.env" ] || { echo "no $D/credentials.env; run: bash .scripts/s3-moto.sh start" >&2; exit 1; }
  sed -n 's/^\(S3_[A-Z]*\)=\(.*\)$/export \1='"'"'\2'"'"'/p' "$D/credentials.env"
  ;;
*)
  echo "usage: $0 install|installed|start|stop|status|env" >&2
  exit 2
  ;;
esac
