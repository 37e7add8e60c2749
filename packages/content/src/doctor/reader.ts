/**
 * How a reader compares an example's output with what the text shows: what legitimately
 * differs from run to run (object addresses, the clock, ids and hashes, random values, the
 * order of a set or of concurrent lines, a tab shown as spaces, a traceback's file
 * names and carets) is not a mismatch. Each allowance is a named rule, and the doctor says
 * which rules a match needed. Rules that would hide real mistakes (numbers that differ) apply
 * only where the example's code shows the source of the variation (it reads the clock, calls
 * id() or hash(), uses unseeded random, starts threads or processes, measures time).
 */

export type ReaderRule =
  | 'tabs'
  | 'object addresses'
  | 'set order'
  | 'clock'
  | 'ids and hashes'
  | 'random values'
  | 'decimal tolerance'
  | 'elision'
  | 'traceback'
  | 'concurrent order';

/** What a rule says when it was needed, for the report. */
export const RULE_WHY: Record<ReaderRule, string> = {
  tabs: 'a tab the program prints matches the spaces the text shows for it (a reader cannot tell them apart)',
  'object addresses': 'object addresses (0x…) differ on every run',
  'set order':
    "the elements of a printed set in another order (a set's order changes from run to run)",
  clock: 'dates and times read from the clock',
  'ids and hashes': 'id() and hash() values differ on every run',
  'random values': 'numbers from the random module',
  'decimal tolerance': 'decimal numbers within the tolerance (the code measures time)',
  elision: 'a "..." line of the text stands for lines it leaves out',
  traceback:
    "the traceback's frames (file names, carets) not compared: its last line, the exception, is",
  'concurrent order':
    'the same lines in another order (threads, processes or tasks run concurrently)',
};

/** Which code-gated rules an example's code allows. */
export interface Allowances {
  clock: boolean;
  ids: boolean;
  random: boolean;
  concurrent: boolean;
  /** decimal numbers within a tolerance: the code measures time (or doctor.json sets one) */
  timing: boolean;
}

export function allowancesOf(code: string): Allowances {
  return {
    // calls that read the clock, not the modules' names (date arithmetic is exact)
    clock:
      /\b(?:now|today|utcnow|localtime|gmtime|ctime|asctime)\s*\(/.test(code) ||
      /\btime\.time(?:_ns)?\s*\(/.test(code) ||
      /\bfrom\s+time\s+import\b[^\n]*\btime\b/.test(code),
    ids: /\b(?:id|hash)\s*\(/.test(code),
    // seeded random output is reproducible: compared exactly
    random:
      /\bimport\s+(?:random|secrets|uuid)\b|\bfrom\s+(?:random|secrets|uuid)\s+import\b/.test(
        code,
      ) && !/\bseed\s*\(\s*-?\d+\s*\)/.test(code),
    // threads and processes; asyncio's scheduling is deterministic (its order is the lesson)
    concurrent:
      /\b(?:threading|multiprocessing|concurrent\.futures)\b/.test(code) ||
      /\b(?:Thread|Process|ThreadPoolExecutor|ProcessPoolExecutor|Pool)\s*\(/.test(code),
    timing:
      /\b(?:perf_counter|monotonic|process_time|thread_time)(?:_ns)?\s*\(/.test(code) ||
      /\btime\.time(?:_ns)?\s*\(|\btimeit\b|\bsleep\s*\(/.test(code),
  };
}

export const NO_ALLOWANCES: Allowances = {
  clock: false,
  ids: false,
  random: false,
  concurrent: false,
  timing: false,
};

export interface Tolerance {
  /** absolute difference allowed between decimal numbers */
  absolute: number;
  /** relative difference allowed (of the expected value) */
  relative: number;
}

const WEEKDAYS =
  /\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/g;
const WEEKDAYS_RU =
  /(?<![\p{L}])(?:понедельник|вторник|среда|четверг|пятница|суббота|воскресенье)(?![\p{L}])/giu;
const MONTHS =
  /\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b/g;

/** The line normalisers, in the order they apply; each may be off for an example. */
const LINE_RULES: Array<{
  name: ReaderRule;
  allowed(a: Allowances): boolean;
  normalize(line: string): string;
}> = [
  {
    name: 'object addresses',
    allowed: () => true,
    // an object's default repr (`<… object at 0x7f…>`, `<function f at 0x…>`), not any hex number
    normalize: (line) => line.replace(/\bat 0x[0-9a-fA-F]{6,}\b/g, 'at 0x…'),
  },
  { name: 'set order', allowed: () => true, normalize: sortSets },
  {
    name: 'clock',
    allowed: (a) => a.clock,
    normalize: (line) =>
      line
        .replace(/\b\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\b/g, '<date>')
        .replace(/\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\b/g, '<time>')
        .replace(/\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b/g, '<date>')
        .replace(WEEKDAYS, '<day>')
        .replace(WEEKDAYS_RU, '<day>')
        .replace(MONTHS, '<month>')
        .replace(/\b1[5-9]\d{8}(?:\.\d+)?\b/g, '<timestamp>'),
  },
  {
    name: 'ids and hashes',
    allowed: (a) => a.ids,
    normalize: (line) => line.replace(/-?\b\d{6,}\b/g, '<id>'),
  },
  {
    name: 'random values',
    allowed: (a) => a.random,
    normalize: (line) =>
      line
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
        .replace(/-?\d+(?:\.\d+)?/g, '<n>'),
  },
];

/** A str or bytes repr: the elements whose order in a set changes with the hash seed. */
const QUOTED = /^[bB]?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$/;

/**
 * `{'b', 'a'}` → `{'a', 'b'}`: a printed set of strings (brace pair without colon or nested
 * braces, every element a str/bytes repr). Sets of numbers print in a fixed order: left alone.
 */
function sortSets(line: string): string {
  return line.replace(/\{([^{}:]*)\}/g, (whole, inner: string) => {
    const items = splitTopLevel(inner);
    if (items.length < 2 || !items.every((item) => QUOTED.test(item))) return whole;
    return `{${items.sort().join(', ')}}`;
  });
}

/** A line with tabs as a pattern in which each tab (with the spaces around it) is any run of blanks. */
function tabsMatch(withTabs: string, other: string): boolean {
  const parts = withTabs.split(/[ ]*\t[ \t]*/);
  if (parts.length < 2) return false;
  const quote = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${parts.map(quote).join('[ \\t]+')}$`).test(other);
}

/** Comma-separated items, commas inside quotes or brackets kept. */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([<'.includes(ch)) depth++;
    else if (')]>'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim() !== '' || items.length > 0) items.push(current.trim());
  return items;
}

const DECIMAL = /(-?\d+\.\d+)/;

/** Lines equal except for decimal numbers that are within the tolerance. */
function withinTolerance(expected: string, actual: string, tol: Tolerance): boolean {
  const e = expected.split(DECIMAL);
  const a = actual.split(DECIMAL);
  if (e.length !== a.length || e.length === 1) return false;
  for (let i = 0; i < e.length; i++) {
    if (i % 2 === 0) {
      if (e[i] !== a[i]) return false;
    } else {
      const x = Number(e[i]);
      const y = Number(a[i]);
      if (Math.abs(x - y) > Math.max(tol.absolute, tol.relative * Math.abs(x))) return false;
    }
  }
  return true;
}

function equalUnder(
  expected: string,
  actual: string,
  rules: ReaderRule[],
  tolerance: Tolerance,
): boolean {
  let e = expected;
  let a = actual;
  for (const rule of LINE_RULES) {
    if (!rules.includes(rule.name)) continue;
    e = rule.normalize(e);
    a = rule.normalize(a);
  }
  if (e === a) return true;
  if (rules.includes('tabs') && (a.includes('\t') ? tabsMatch(a, e) : tabsMatch(e, a))) return true;
  return rules.includes('decimal tolerance') && withinTolerance(e, a, tolerance);
}

/**
 * The rules a pair of lines needs to match (none: equal), or null when the allowed rules do
 * not make them match. The rules reported are a minimal set: each one was needed.
 */
export function matchLine(
  expected: string,
  actual: string,
  allowances: Allowances,
  tolerance: Tolerance,
): ReaderRule[] | null {
  if (expected === actual) return [];
  const allowed: ReaderRule[] = [
    ...LINE_RULES.filter((r) => r.allowed(allowances)).map((r) => r.name),
    'tabs',
    ...(allowances.timing ? (['decimal tolerance'] as const) : []),
  ];
  if (!equalUnder(expected, actual, allowed, tolerance)) return null;
  let needed = allowed;
  for (const rule of allowed) {
    const without = needed.filter((r) => r !== rule);
    if (equalUnder(expected, actual, without, tolerance)) needed = without;
  }
  return needed;
}

export function isElision(line: string): boolean {
  const t = line.trim();
  return t === '...' || t === '…';
}

/**
 * Expected lines against actual lines, line by line under the rules; a `...` line of the
 * expected output stands for any number of actual lines. The rules used, or null.
 */
export function matchLines(
  expected: string[],
  actual: string[],
  allowances: Allowances,
  tolerance: Tolerance,
): ReaderRule[] | null {
  const memo = new Map<number, ReaderRule[] | null>();
  const go = (i: number, j: number): ReaderRule[] | null => {
    const key = i * (actual.length + 1) + j;
    if (memo.has(key)) return memo.get(key)!;
    let result: ReaderRule[] | null = null;
    if (i === expected.length) {
      result = j === actual.length ? [] : null;
    } else if (isElision(expected[i]!)) {
      // the line itself, printed by the program
      if (j < actual.length && actual[j] === expected[i]) result = go(i + 1, j + 1);
      for (let k = j; result === null && k <= actual.length; k++) {
        const rest = go(i + 1, k);
        if (rest) result = [...rest, 'elision'];
      }
    } else if (j < actual.length) {
      const line = matchLine(expected[i]!, actual[j]!, allowances, tolerance);
      if (line) {
        const rest = go(i + 1, j + 1);
        if (rest) result = [...line, ...rest];
      }
    }
    memo.set(key, result);
    return result;
  };
  const rules = go(0, 0);
  return rules && [...new Set(rules)];
}

/** The same lines in any order, each pair under the line rules. */
export function matchUnordered(
  expected: string[],
  actual: string[],
  allowances: Allowances,
  tolerance: Tolerance,
): ReaderRule[] | null {
  if (expected.length !== actual.length) return null;
  const left = [...actual];
  const used = new Set<ReaderRule>();
  for (const line of expected) {
    let found = -1;
    let rules: ReaderRule[] | null = null;
    for (let k = 0; k < left.length && found < 0; k++) {
      rules = matchLine(line, left[k]!, allowances, tolerance);
      if (rules) found = k;
    }
    if (found < 0 || !rules) return null;
    for (const r of rules) used.add(r);
    left.splice(found, 1);
  }
  return [...used];
}

/** The last line of a traceback: `ValueError: …`, `StopIteration`, `module.SomeError: …`. */
const EXCEPTION_LINE =
  /^(?:[A-Za-z_][\w.]*\.)?(?:[A-Z]\w*)?(?:Error|Exception|Exit|Interrupt|Warning|Iteration|Group)(?::\s.*)?$/;

/**
 * An exception line without what Python versions word differently: the suggestion newer
 * versions add (`. Did you mean: 'vals'?`).
 */
export function exceptionCore(line: string): string {
  return line.trim().replace(/\. Did you mean: .*\?$/, '');
}

export function isExceptionLine(line: string): boolean {
  return EXCEPTION_LINE.test(line.trim());
}

/**
 * An expected output that ends in an exception, split into what the program printed and the
 * exception line; null when it shows none. The frames between (`Traceback …`, `File "…"`,
 * code and carets) are not kept.
 */
export function splitTraceback(lines: string[]): { printed: string[]; exception: string } | null {
  const last = lines[lines.length - 1];
  if (last === undefined || !isExceptionLine(last)) return null;
  const header = lines.findIndex((l) => l.startsWith('Traceback (most recent call last)'));
  if (header >= 0) return { printed: lines.slice(0, header), exception: last.trim() };
  // a SyntaxError is shown without the header: `File "…", line N`, the code, carets
  const file = lines.findIndex((l) => /^\s*File "[^"]*", line \d+/.test(l));
  if (file >= 0) return { printed: lines.slice(0, file), exception: last.trim() };
  return { printed: lines.slice(0, -1), exception: last.trim() };
}
