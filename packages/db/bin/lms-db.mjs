#!/usr/bin/env node
// The data layer's CLI (see packages/db/README.md). The wasm schema engine is instantiated
// by src/schema-engine.ts itself, so no --experimental-wasm-modules flag is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
