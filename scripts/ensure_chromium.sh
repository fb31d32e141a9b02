#!/bin/sh
# Install headless Chromium (Debian package `chromium`) for the report's browser test, when it is missing
# and we may install it (root). Otherwise do nothing: the test then skips with the reason.
# Usage: scripts/ensure_chromium.sh   (called by `make test`)
set -eu
if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_chromium: chromium missing and not root; the report browser test will be skipped" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: chromium missing and no apt-get; the report browser test will be skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium >/dev/null
