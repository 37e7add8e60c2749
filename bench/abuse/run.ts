/**
 * Replays review findings 1–3 and 6 of issue 11 against a running app and prints what was
 * refused. Not a benchmark of speed: a check that the limits hold over real HTTP, the way an
 * attacker would send the requests (the unit tests call the handlers in-process).
 *
 *   npm start                                              # or, on a spare port and database:
 *   PORT=3311 GRADER_PORT=4311 DATABASE_URL=file:/tmp/abuse.db node scripts/start.mjs
 *   npx tsx bench/abuse/run.ts --base-url http://127.0.0.1:3311
 *
 *  1. one batched tRPC request of 30 `attempt.submit` of `while True: pass`, then one of 10
 *     (the batch cap, MAX_BATCH_SIZE): accepted vs refused (10 a minute, 2 in flight per user);
 *  2. 36 wrong sign-ins, each with a new X-Forwarded-For: 401 (password checked) vs 429;
 *  3. sign-in with next=/%09/evil.com: where the app sends the browser;
 *  6. attempt.recordQuick with a result over the JSON cap, then a burst of 40 (30 a minute).
 *
 * Signs in as the demo student2 (student1 stays usable for people). Finding 2 runs last: it
 * leaves student2's sign-in from this address refused for up to 10 minutes (the limits live in
 * the web process's memory: restarting the app clears them). Exit 1 when a finding is not
 * defended, 2 when the app cannot be used.
 */

const ACCOUNT = { email: 'student2@lms.local', password: 'demo-student2-pass' };
const COURSE = 'python';
const TASK = 'python_chapter_0320_task_0010';
/** apps/web/src/trpc/limits.ts */
const MAX_BATCH_SIZE = 10;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value && !value.startsWith('--') ? value : fallback;
}

const base = arg('--base-url', process.env.ABUSE_BASE_URL ?? 'http://127.0.0.1:3000').replace(
  /\/$/,
  '',
);
const origin = new URL(base).origin;

interface Row {
  finding: string;
  sent: number;
  accepted: number;
  refused: number;
  defended: boolean;
  /** what the refusals said, e.g. "BATCH_TOO_LARGE ×30" */
  how: string;
}

/** "429 ×26, 401 ×10": how often each value occurs, most frequent first. */
function tally(values: Array<string | number>): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function signIn(
  account: { email: string; password: string },
  forwardedFor?: string,
): Promise<Response> {
  return fetch(`${base}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin,
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: JSON.stringify(account),
    redirect: 'manual',
  });
}

type Outcome = { ok: true; data: unknown } | { ok: false; status: number; appCode: string };

/** One batched tRPC POST of `calls` (superjson's `{json}` envelope); one outcome per call. */
async function trpcBatch(
  cookie: string,
  calls: Array<{ path: string; input: unknown }>,
): Promise<{ status: number; outcomes: Outcome[] }> {
  const url = `${base}/api/trpc/${calls.map((c) => c.path).join(',')}?batch=1`;
  const body = Object.fromEntries(calls.map((c, i) => [i, { json: c.input }]));
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // not tRPC's answer (a proxy's page, a body-size refusal): every call refused with the status
    return {
      status: res.status,
      outcomes: calls.map(() => ({ ok: false, status: res.status, appCode: `HTTP ${res.status}` })),
    };
  }
  const errorOf = (e: {
    json?: { data?: { appCode?: string; code?: string; httpStatus?: number } };
  }) => ({
    ok: false as const,
    status: e.json?.data?.httpStatus ?? res.status,
    appCode: e.json?.data?.appCode ?? e.json?.data?.code ?? `HTTP ${res.status}`,
  });
  // the whole batch refused (the route's cap): one error for every call
  if (!Array.isArray(json)) {
    const e = (json as { error?: Parameters<typeof errorOf>[0] }).error ?? {};
    return { status: res.status, outcomes: calls.map(() => errorOf(e)) };
  }
  return {
    status: res.status,
    outcomes: json.map(
      (item: { result?: { data?: { json?: unknown } }; error?: Parameters<typeof errorOf>[0] }) =>
        item.error ? errorOf(item.error) : { ok: true as const, data: item.result?.data?.json },
    ),
  };
}

const refusedCodes = (outcomes: Outcome[]) =>
  tally(outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok).map((o) => o.appCode));
const accepted = (outcomes: Outcome[]) => outcomes.filter((o) => o.ok).length;

async function findingSubmit(cookie: string): Promise<Row[]> {
  const submit = {
    path: 'attempt.submit',
    input: { courseSlug: COURSE, taskId: TASK, code: 'while True: pass\n' },
  };
  const big = await trpcBatch(
    cookie,
    Array.from({ length: 30 }, () => submit),
  );
  const atCap = await trpcBatch(
    cookie,
    Array.from({ length: MAX_BATCH_SIZE }, () => submit),
  );
  return [
    {
      finding: '1  30 × attempt.submit in one batch',
      sent: 30,
      accepted: accepted(big.outcomes),
      refused: 30 - accepted(big.outcomes),
      // the batch is over the cap: nothing of it may run
      defended: accepted(big.outcomes) === 0,
      how: `HTTP ${big.status}: ${refusedCodes(big.outcomes)}`,
    },
    {
      finding: `1  ${MAX_BATCH_SIZE} × attempt.submit (at the batch cap)`,
      sent: MAX_BATCH_SIZE,
      accepted: accepted(atCap.outcomes),
      refused: MAX_BATCH_SIZE - accepted(atCap.outcomes),
      // at most 2 final checks queued or running per user
      defended: accepted(atCap.outcomes) <= 2,
      how: refusedCodes(atCap.outcomes),
    },
  ];
}

async function findingSignInFlood(): Promise<Row> {
  const statuses: number[] = [];
  for (let i = 0; i < 36; i++) {
    const res = await signIn(
      { email: ACCOUNT.email, password: `wrong password ${i}` },
      `198.51.100.${i + 1}, 203.0.113.${i + 1}`,
    );
    await res.text();
    statuses.push(res.status);
  }
  const checked = statuses.filter((s) => s === 401).length;
  const limited = statuses.filter((s) => s === 429).length;
  return {
    finding: '2  36 wrong sign-ins, a new X-Forwarded-For each',
    sent: 36,
    accepted: checked,
    refused: limited,
    // X-Forwarded-For from an untrusted client changes nothing: after 10 failures for the
    // (address, e-mail) pair, or 30 tries from the address in a minute, the rest are 429
    defended: checked <= 10 && limited === 36 - checked,
    how: `${tally(statuses)} (401: the password was checked)`,
  };
}

async function findingNext(cookie: string): Promise<Row> {
  const evil = '/%09/evil.com';
  // signed in: the sign-in page redirects to `next` on the server (a Location header)
  const res = await fetch(`${base}/sign-in?next=${evil}`, {
    headers: { cookie },
    redirect: 'manual',
  });
  await res.text();
  const location = res.headers.get('location');
  // signed out: the form gets `next` as a prop (in the page's flight data)
  const page = await (await fetch(`${base}/sign-in?next=${evil}`)).text();
  const prop = /\\?"mode\\?":\\?"sign-in\\?",\\?"next\\?":\\?"([^"\\]*)/.exec(page)?.[1] ?? null;
  const target = (to: string | null) => (to === null ? null : new URL(to, base));
  const same = (to: string | null) => {
    const u = target(to);
    return u !== null && u.origin === origin && !u.pathname.startsWith('//');
  };
  const defended = same(location) && (prop === null || same(prop));
  return {
    finding: `3  sign-in with next=${evil}`,
    sent: 2,
    accepted: defended ? 0 : 1,
    refused: defended ? 2 : 1,
    defended,
    how: `signed in: HTTP ${res.status} → ${location ?? '(no Location)'}; form's next: ${prop ?? '(not found)'}`,
  };
}

async function findingQuick(cookie: string): Promise<Row[]> {
  const result = (tests: number, message: string) => ({
    status: 'failed',
    message: null,
    tests: Array.from({ length: tests }, (_, i) => ({
      name: `test ${i}`,
      status: 'failed',
      message,
      durationMs: 1,
    })),
    stdout: '',
    stderr: '',
  });
  const call = (r: unknown) => ({
    path: 'attempt.recordQuick',
    input: { courseSlug: COURSE, taskId: TASK, code: 'print(1)\n', result: r },
  });
  // every part within its own cap, the whole over QUICK_CHECK_RESULT_CHARS (256 K characters)
  const oversized = await trpcBatch(cookie, [call(result(100, 'x'.repeat(3900)))]);
  const burst: Outcome[] = [];
  for (let b = 0; b < 4; b++) {
    const r = await trpcBatch(
      cookie,
      Array.from({ length: 10 }, () => call(result(1, 'wrong'))),
    );
    burst.push(...r.outcomes);
  }
  return [
    {
      finding: '6  recordQuick, result of ~390 K characters',
      sent: 1,
      accepted: accepted(oversized.outcomes),
      refused: 1 - accepted(oversized.outcomes),
      defended: accepted(oversized.outcomes) === 0,
      how: refusedCodes(oversized.outcomes),
    },
    {
      finding: '6  recordQuick × 40 in a minute',
      sent: 40,
      accepted: accepted(burst),
      refused: 40 - accepted(burst),
      // 30 a minute per user (fewer when this user stored quick checks just before)
      defended: accepted(burst) <= 30 && accepted(burst) < 40,
      how: refusedCodes(burst),
    },
  ];
}

function printTable(rows: Row[]) {
  const cells = [
    ['finding', 'sent', 'accepted', 'refused', 'verdict', 'refused with'],
    ...rows.map((r) => [
      r.finding,
      String(r.sent),
      String(r.accepted),
      String(r.refused),
      r.defended ? 'DEFENDED' : 'NOT DEFENDED',
      r.how,
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const c of cells) {
    console.log(
      c
        .map((cell, i) => (i >= 1 && i <= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join(' | ')
        .trimEnd(),
    );
  }
}

async function main(): Promise<number> {
  console.log(`abuse replay against ${base} (issue 11, findings 1–3 and 6), as ${ACCOUNT.email}`);
  try {
    await fetch(`${base}/sign-in`);
  } catch (e) {
    console.error(`${base} does not answer (${(e as Error).message}): start the app first`);
    return 2;
  }
  const session = await signIn(ACCOUNT);
  if (session.status !== 200) {
    console.error(
      `signing in as ${ACCOUNT.email} failed (HTTP ${session.status}: ${(await session.text()).slice(0, 200)}); ` +
        'after a run of this script the account is refused from this address for up to 10 minutes (or until the app restarts)',
    );
    return 2;
  }
  await session.text();
  const cookie = cookieOf(session);

  const rows: Row[] = [];
  rows.push(...(await findingSubmit(cookie)));
  rows.push(...(await findingQuick(cookie)));
  rows.push(await findingNext(cookie));
  // last: it locks student2's sign-in from this address for a while
  rows.push(await findingSignInFlood());

  console.log('');
  printTable(rows);
  console.log('');
  console.log('How long the limits last (all per web process, in memory for sign-in):');
  console.log(
    '  final checks: 10 a minute per user, at most 2 queued or running (the two `while True` run to their wall limit);',
  );
  console.log('  quick checks: 30 a minute per user;');
  console.log(
    `  sign-in: 30 tries a minute per client address; 10 failures per (address, e-mail) block that pair for 10 minutes:\n` +
      `  ${ACCOUNT.email} cannot sign in from this address for up to 10 minutes (restarting the app clears it).`,
  );
  const failed = rows.filter((r) => !r.defended);
  console.log('');
  console.log(
    failed.length === 0
      ? 'every finding DEFENDED'
      : `NOT DEFENDED: ${failed.map((r) => r.finding.trim()).join('; ')}`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
