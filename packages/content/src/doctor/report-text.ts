/**
 * The doctor's report for a terminal: the problems first (each with file:line:column), the
 * notable matches, then a summary table per chapter with a total row, and the rules that
 * loose matches needed.
 */
import { type DoctorDetail, type DoctorReport, doctorOk } from './doctor.ts';

const MARK: Record<DoctorDetail['outcome'], string> = {
  exact: '✓',
  ran: '✓',
  passed: '✓',
  loose: '≈',
  mismatch: '✗',
  failed: '✗',
  error: '!',
};

export function isProblem(d: DoctorDetail): boolean {
  if (d.kind === 'starter') return d.outcome !== 'failed';
  if (d.kind === 'solution') return d.outcome !== 'passed';
  return d.outcome === 'mismatch' || d.outcome === 'failed' || d.outcome === 'error';
}

function chapterOf(d: DoctorDetail): string {
  const dir = d.source.file.split('/')[0];
  return dir && dir !== d.source.file ? dir : '(course)';
}

function line(d: DoctorDetail): string {
  const mark =
    d.kind === 'starter'
      ? d.outcome === 'failed'
        ? '✓'
        : '✗'
      : d.kind === 'solution' && d.outcome === 'failed'
        ? '✗'
        : MARK[d.outcome];
  const what =
    d.kind === 'starter'
      ? `starter ${d.outcome === 'failed' ? 'fails as it should' : d.outcome}`
      : d.kind === 'answer'
        ? `answer ${d.outcome}`
        : d.kind === 'solution'
          ? d.outcome === 'passed'
            ? 'judged right'
            : 'misjudged'
          : d.outcome;
  const time = d.elapsed !== null ? ` (${d.elapsed.toFixed(1)} s)` : '';
  return `${mark} ${d.id} ${what}${time}`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** Rows as a fixed-width table (first column left-aligned, the others right-aligned). */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => pad(cell, widths[i]!, i > 0))
      .join('  ')
      .trimEnd(),
  );
}

export function formatDoctorReport(
  report: DoctorReport,
  options: {
    /** file:line:column of a source position, relative to where the command was run */
    where: (d: DoctorDetail) => string;
    /** every run, not only the problems and the notable ones */
    verbose?: boolean;
    elapsedSeconds?: number;
  },
): string[] {
  const out: string[] = [`runner: ${report.runner}`];
  const problems = report.details.filter(isProblem);
  const notable = report.details.filter(
    (d) =>
      !isProblem(d) &&
      (d.outcome === 'loose' ||
        (d.message?.includes('flaky:') ?? false) ||
        (d.rules?.length ?? 0) > 0),
  );
  const shown = options.verbose ? report.details : [...problems, ...notable];
  for (const d of shown) {
    out.push(line(d));
    if (
      d.message &&
      (isProblem(d) || d.outcome === 'loose' || d.rules?.length || options.verbose)
    ) {
      const message =
        d.kind === 'starter' && !isProblem(d) ? d.message.split('\n')[0]!.slice(0, 160) : d.message;
      out.push(`    ${options.where(d)}: ${message.split('\n').join('\n    ')}`);
    }
  }
  // errors that come from a run listed above are not repeated (same source position)
  const at = (p: { file: string; line: number; column: number }) =>
    `${p.file}:${p.line}:${p.column}`;
  const reported = new Set(problems.map((d) => at(d.source)));
  for (const e of report.errors) {
    if (!reported.has(at(e))) out.push(`! ${e.file}:${e.line}:${e.column}: ${e.message}`);
  }

  // the summary: one row per chapter, then the total
  type Row = {
    ex: number;
    exOk: number;
    loose: number;
    an: number;
    anOk: number;
    st: number;
    stOk: number;
    so: number;
    soOk: number;
  };
  const rows = new Map<string, Row>();
  const total: Row = { ex: 0, exOk: 0, loose: 0, an: 0, anOk: 0, st: 0, stOk: 0, so: 0, soOk: 0 };
  for (const d of report.details) {
    const chapter = chapterOf(d);
    if (!rows.has(chapter))
      rows.set(chapter, {
        ex: 0,
        exOk: 0,
        loose: 0,
        an: 0,
        anOk: 0,
        st: 0,
        stOk: 0,
        so: 0,
        soOk: 0,
      });
    for (const r of [rows.get(chapter)!, total]) {
      if (d.kind === 'example') {
        r.ex++;
        if (!isProblem(d)) r.exOk++;
        if (d.outcome === 'loose') r.loose++;
      } else if (d.kind === 'answer') {
        r.an++;
        if (!isProblem(d)) r.anOk++;
      } else if (d.kind === 'solution') {
        r.so++;
        if (!isProblem(d)) r.soOk++;
      } else {
        r.st++;
        if (!isProblem(d)) r.stOk++;
      }
    }
  }
  const withSolutions = total.so > 0;
  const cells = (name: string, r: Row) => {
    const bad = r.ex - r.exOk + (r.an - r.anOk) + (r.st - r.stOk) + (r.so - r.soOk);
    return [
      name,
      `${r.exOk}/${r.ex}`,
      String(r.loose),
      `${r.anOk}/${r.an}`,
      `${r.stOk}/${r.st}`,
      ...(withSolutions ? [`${r.soOk}/${r.so}`] : []),
      bad === 0 ? '—' : String(bad),
    ];
  };
  out.push('');
  out.push(
    ...table([
      [
        'chapter',
        'examples ok',
        '≈ loose',
        'answers pass',
        'starters fail',
        ...(withSolutions ? ['solutions judged'] : []),
        'problems',
      ],
      ...[...rows.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, r]) => cells(name, r)),
      cells('total', total),
    ]),
  );
  const byRule = new Map<string, number>();
  for (const d of report.details)
    for (const r of d.rules ?? []) byRule.set(r, (byRule.get(r) ?? 0) + 1);
  if (byRule.size > 0) {
    const list = [...byRule.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`);
    out.push(`comparison rules applied: ${list.join(', ')}`);
  }
  const legacy = report.legacyChecks.length;
  if (legacy > 0) {
    out.push(
      `${legacy} ${legacy === 1 ? 'task uses' : 'tasks use'} a legacy wrapper_test check: the program can tamper with it; ` +
        'see docs/check-format.md#converting-a-wrapper_test (lms-content convert-wrapper)',
    );
    if (options.verbose) out.push(`    ${report.legacyChecks.join(', ')}`);
  }
  const time =
    options.elapsedSeconds !== undefined ? ` in ${options.elapsedSeconds.toFixed(1)} s` : '';
  out.push(
    `${report.errors.length} content errors, ${problems.length} problems${time}: ${doctorOk(report) ? 'course is healthy' : 'course has problems'}`,
  );
  return out;
}
