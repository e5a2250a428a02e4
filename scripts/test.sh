#!/usr/bin/env bash
# Installs everything the test suite needs (system packages, Python packages) and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# Add system packages the tests need here (each test starts its own servers on 127.0.0.1).
NEWSCRAWL_APT_PACKAGES+=(chromium)  # headless browser for the rendering tests
NEWSCRAWL_APT_PACKAGES+=(redis-server)  # Redis for the distributed-crawl tests
NEWSCRAWL_APT_PACKAGES+=(postgresql)  # PostgreSQL for the database store tests
for pkg in "${NEWSCRAWL_APT_PACKAGES[@]:-}"; do
  [ -n "$pkg" ] && ! dpkg -s "$pkg" >/dev/null 2>&1 && need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  fi
fi

python3 -m pip install -q -e '.[test]'
# The install compiles the text-statistics extension; a test fails if it was not built.
export NEWSCRAWL_REQUIRE_COMPILED=1
python3 -m ruff check .
python3 -m pytest "$@"
