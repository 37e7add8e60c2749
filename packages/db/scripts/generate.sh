#!/usr/bin/env bash
# Derives both provider schemas and generates both Prisma clients (src/generated/{sqlite,postgres}).
# Prisma 7's `generate` needs no schema engine, but insists that PRISMA_SCHEMA_ENGINE_BINARY
# names an existing file when none was downloaded (we never download: offline machine).
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(pwd)/package.json}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 PRISMA_GENERATE_NO_HINTS=1
npx tsx scripts/derive.ts
npx prisma generate --schema prisma/sqlite/schema.prisma >/dev/null
npx prisma generate --schema prisma/postgres/schema.prisma >/dev/null
echo "[db] generated Prisma clients for sqlite and postgres"
