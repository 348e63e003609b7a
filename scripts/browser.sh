#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests; print its path.
# Installs it with apt when missing (needs root, as CI has). Nothing is downloaded by the tests.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
echo /usr/bin/chromium
