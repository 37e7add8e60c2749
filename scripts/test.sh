#!/usr/bin/env bash
# The whole test suite: unit/integration suites of every workspace (Vitest), then the
# end-to-end suite (Playwright in Debian's Chromium). Ends with one line of totals:
# `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
exec node scripts/run-tests.mjs "$@"
