// Copies the Pyodide runtime from node_modules into public/pyodide/<version>/ so the app serves
// it itself (no CDN). Runs before dev and build; idempotent (skips files already up to date).
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pkgPath = require.resolve('pyodide/package.json');
const { version } = require(pkgPath);
const from = dirname(pkgPath);
const to = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'pyodide', version);
const files = [
  'pyodide.mjs',
  'pyodide.js',
  'pyodide.asm.mjs',
  'pyodide.asm.js',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];

await mkdir(to, { recursive: true });
let copied = 0;
for (const name of files) {
  const src = join(from, name);
  const source = await stat(src).catch(() => null);
  if (!source) continue; // not every Pyodide version ships every file (314 has no pyodide.asm.js)
  const target = await stat(join(to, name)).catch(() => null);
  if (target && target.size === source.size && target.mtimeMs >= source.mtimeMs) continue;
  await copyFile(src, join(to, name));
  copied++;
}
console.log(`[copy-pyodide] pyodide ${version} → public/pyodide/${version}/ (${copied} copied)`);
