#!/usr/bin/env bash
# The test command's own set-up (run by `npm test` as its pretest step).
# The browser test drives Debian's chromium through playwright-core; the PDF tests read text back
# with poppler's pdftotext and need the fonts the PDF writer embeds (DejaVu; Droid Sans Fallback
# for Chinese). Install whichever is missing.
# When they cannot be installed this script fails: those tests must fail, never skip.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
PDFTOTEXT=/usr/bin/pdftotext
FONTS=(/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf)

packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)
[ -x "$PDFTOTEXT" ] || packages+=(poppler-utils)
[ -f "${FONTS[0]}" ] || packages+=(fonts-dejavu-core)
[ -f "${FONTS[1]}" ] || packages+=(fonts-droid-fallback)

if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi

echo "test set-up: installing Debian's ${packages[*]} for the browser and PDF tests..." >&2

fail() {
  echo "test set-up: ERROR: $*" >&2
  echo "test set-up: the tests need ${packages[*]}. Install them with 'apt-get install -y ${packages[*]}' (as root) and run the tests again." >&2
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
  fail "installing ${packages[*]} needs root (or password-less sudo)."
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! "${SUDO[@]}" apt-get update -q >"$log" 2>&1; then
  cat "$log" >&2
  fail "'apt-get update' failed."
fi
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  fail "'apt-get install ${packages[*]}' failed."
fi

if [ ! -x "$PDFTOTEXT" ]; then
  fail "poppler-utils was installed but $PDFTOTEXT is still missing."
fi
for font in "${FONTS[@]}"; do
  [ -f "$font" ] || fail "the font packages were installed but $font is still missing."
done

if [ ! -x "$CHROMIUM" ]; then
  fail "chromium was installed but $CHROMIUM is still missing."
fi
# (Debian's launcher script may print a harmless shell warning on stderr; only stdout is kept.)
if ! version=$("$CHROMIUM" --version 2>"$log"); then
  cat "$log" >&2
  fail "$CHROMIUM was installed but does not run."
fi
echo "test set-up: installed ${packages[*]} ($version)" >&2
