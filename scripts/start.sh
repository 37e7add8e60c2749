#!/usr/bin/env bash
# Starts the product on its embedded defaults: SQLite under data/, the grader as a local
# process, the web app on http://localhost:3000. Set-up, migrations and the demo seed run
# first; later runs keep every stored row.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/start.mjs "$@"
