#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Node 20 (run as root for the system
# packages). Installs what the product needs from Debian (bubblewrap for the grader's
# sandbox and python3-seccomp for its syscall filter, Chromium for the browser tests, mypy
# for typed tasks), the npm workspace, and generated code. Safe to run again: it only does
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/python3 ] || missing+=(python3)
/usr/bin/python3 -c 'import mypy' >/dev/null 2>&1 || missing+=(python3-mypy)
# libseccomp's binding: the grader compiles its sandbox's syscall filter with it at start-up
/usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 || missing+=(python3-seccomp)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "WARNING: missing Debian packages (${missing[*]}); install them as root: apt-get install -y ${missing[*]}"
  fi
fi

stamp=node_modules/.lms-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm workspace (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# generated code (Prisma client) — each workspace that has a `generate` script
npx turbo run generate --output-logs=errors-only >/dev/null
say "ready"
