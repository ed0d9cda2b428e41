# Sourced by the benches that drive load (`npm run bench`, `npm run bench:compare`): installs
# Debian's wrk and nginx when missing; without apt (or root) it says so. wrk is required; without
# nginx, `npm run bench` skips its nginx proxy_cache comparison.
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  if command -v apt-get >/dev/null 2>&1; then
    echo "› installing ${missing[*]} from Debian (apt-get)" >&2
    { $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
      { $SUDO apt-get update >&2 && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2; }; } ||
      echo "› could not install ${missing[*]} with apt-get" >&2
  else
    echo "› apt-get is not available: cannot install ${missing[*]}" >&2
  fi
fi
if ! command -v wrk >/dev/null 2>&1; then
  echo "› wrk is required (Debian package 'wrk'); install it and re-run" >&2
  exit 1
fi
if ! { [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; }; then
  echo "› nginx is not installed: the nginx proxy_cache comparison will be skipped" >&2
fi
