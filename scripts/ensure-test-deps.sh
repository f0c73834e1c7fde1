#!/usr/bin/env bash
# Runs before `npm test`: installs the system packages the tests drive that npm cannot ship.
# Today that is Debian's Chromium, which the player page test opens through playwright-core
# (playwright's own browser download is not used, so nothing is fetched at test time).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the player page test..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "Chromium is missing: install it (sudo apt-get install chromium) and run npm test again." >&2
exit 1
