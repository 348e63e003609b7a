#!/usr/bin/env bash
# Make sure a Java 17 (or later) runtime is there for the Spark tests; print the java path.
# Installs Debian's openjdk-17-jre-headless with apt when missing (needs root, as CI has).
set -euo pipefail
JAVA=$(command -v java || true)
MAJOR=0
if [ -n "$JAVA" ]; then
  MAJOR=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
fi
if [ "${MAJOR:-0}" -lt 17 ]; then
  echo "installing Java 17 from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq openjdk-17-jre-headless >&2
  JAVA=$(command -v java)
fi
echo "$JAVA"
