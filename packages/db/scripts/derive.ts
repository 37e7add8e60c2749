// Writes prisma/sqlite/schema.prisma and prisma/postgres/schema.prisma from schema.base.prisma.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deriveSchema, PROVIDERS, readBaseSchema, schemaPath } from '../src/schema-files.ts';

const base = readBaseSchema();
for (const provider of PROVIDERS) {
  const path = schemaPath(provider);
  const text = deriveSchema(base, provider);
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {}
  if (old !== text) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`derived ${path}`);
  }
}
