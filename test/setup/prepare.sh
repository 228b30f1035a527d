#!/usr/bin/env bash
# The test command's own set-up (run by `npm test` as its pretest step).
# The browser test drives Debian's chromium through playwright-core; install it when missing.
# When it cannot be installed this script fails: the browser test must fail, never skip.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

echo "test set-up: $CHROMIUM is missing; installing Debian's chromium for the browser test..." >&2

fail() {
  echo "test set-up: ERROR: $*" >&2
  echo "test set-up: the browser test needs $CHROMIUM. Install it with 'apt-get install -y chromium' (as root) and run the tests again." >&2
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  fail "apt-get is not available on this machine, so chromium cannot be installed automatically."
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  fail "installing chromium needs root (or password-less sudo)."
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! "${SUDO[@]}" apt-get update -q >"$log" 2>&1; then
  cat "$log" >&2
  fail "'apt-get update' failed."
fi
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium >"$log" 2>&1; then
  cat "$log" >&2
  fail "'apt-get install chromium' failed."
fi

if [ ! -x "$CHROMIUM" ]; then
  fail "chromium was installed but $CHROMIUM is still missing."
fi
# (Debian's launcher script may print a harmless shell warning on stderr; only stdout is kept.)
if ! version=$("$CHROMIUM" --version 2>"$log"); then
  cat "$log" >&2
  fail "$CHROMIUM was installed but does not run."
fi
echo "test set-up: installed $version" >&2
