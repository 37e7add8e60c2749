// Real-browser check of the CodeEditor's keyboard behaviour in Debian's Chromium (jsdom has no
// layout, so the unit tests can't prove focus movement). Also prints the editor chunk's size.
// Run: node packages/ui/scripts/editor-browser-check.mjs   (exit code 1 on a failed check)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lms-ui-editor-'));
const entry = join(dir, 'app.tsx');
writeFileSync(
  entry,
  `import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import { CodeEditor } from ${JSON.stringify(join(here, '../src/CodeEditor.tsx'))};
function App() {
  const [code, setCode] = useState('async def main():\\n    print(42)\\n');
  const [log, setLog] = useState([]);
  const add = (s) => setLog((l) => [...l, s]);
  return (<div>
    <button type="button" id="before">before</button>
    <CodeEditor value={code} onChange={setCode} onRun={() => add('run')} onCheck={() => add('check')} onSubmit={() => add('submit')} />
    <button type="button" id="after">after</button>
    <button type="button" id="reset" onClick={() => setCode('print("reset")\\n')}>reset</button>
    <pre id="log">{log.join(',')}</pre><pre id="code">{code}</pre>
  </div>);
}
createRoot(document.getElementById('root')).render(<App />);
`,
);
const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  jsx: 'automatic',
  minify: true,
  outfile: join(dir, 'app.js'),
  define: { 'process.env.NODE_ENV': '"production"' },
  nodePaths: [join(here, '../../../node_modules')],
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(
  join(dir, 'index.html'),
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>editor</title></head><body><main id="root"></main><script type="module" src="app.js"></script></body></html>',
);

let editorBytes = 0;
let reactBytes = 0;
for (const [file, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
  if (/react/.test(file) && !/codemirror|lezer/.test(file)) reactBytes += info.bytesInOutput;
  else editorBytes += info.bytesInOutput;
}
const total = readFileSync(join(dir, 'app.js'));
console.log(
  `bundle: ${(total.length / 1024).toFixed(0)} KiB min, ${(gzipSync(total).length / 1024).toFixed(0)} KiB gzip; ` +
    `editor (CodeMirror + ours) ${(editorBytes / 1024).toFixed(0)} KiB min, react ${(reactBytes / 1024).toFixed(0)} KiB min`,
);

const failures = [];
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures.push(name);
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--allow-file-access-from-files',
  ],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => check('no page errors', false, e.message));
  await page.goto(`file://${join(dir, 'index.html')}`);
  await page.waitForSelector('.cm-content', { timeout: 10_000 });
  const active = () =>
    page.evaluate(() => document.activeElement?.id || document.activeElement?.className);

  await page.focus('#before');
  await page.keyboard.press('Tab');
  check('Tab from the previous control enters the editor', (await active()) === 'cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Tab');
  await page.keyboard.type('x = 1');
  check(
    'Tab indents with 4 spaces',
    (await page.textContent('#code')).endsWith('\n    x = 1'),
    JSON.stringify(await page.textContent('#code')),
  );
  await page.keyboard.press('Control+Enter');
  await page.keyboard.press('Control+Shift+Enter');
  await page.keyboard.press('Control+Alt+Enter');
  check(
    'run, check, submit shortcuts',
    (await page.textContent('#log')) === 'run,check,submit',
    await page.textContent('#log'),
  );
  await page.keyboard.type('pri');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  check(
    'Escape then Tab leaves the editor (even right after typing)',
    (await active()) === 'after',
    await active(),
  );
  await page.keyboard.press('Shift+Tab');
  check('Shift+Tab comes back', (await active()) === 'cm-content');
  await page.click('#reset');
  // biome-ignore lint/performance/useDomNodeTextContent: innerText keeps CodeMirror's line breaks
  const doc = await page.evaluate(() => document.querySelector('.cm-content').innerText);
  check(
    'the editor follows a value set from outside',
    doc.startsWith('print("reset")'),
    JSON.stringify(doc),
  );
  const axeSource = readFileSync(join(here, '../../../node_modules/axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document.querySelector('main'))).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id),
  );
  check(
    'no serious axe violations around the editor',
    violations.length === 0,
    violations.join(', '),
  );
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
