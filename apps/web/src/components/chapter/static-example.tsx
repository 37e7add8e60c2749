import { ScrollableCode } from '@/components/scrollable-code';
import { getI18n } from '@/i18n/server';

/** An example the platform cannot run (a course in another language): its code and printed output, as text. */
export async function StaticExample(props: {
  code: string;
  lang: string;
  expectedOutput: string | null;
  number: number;
}) {
  const { t } = await getI18n();
  const headingId = `static-example-${props.number}-title`;
  return (
    <section
      aria-labelledby={headingId}
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
      data-example-static
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2">
        <h3 id={headingId} className="mr-auto text-sm font-semibold text-slate-700">
          {t.example.label} {props.number}
          <span className="ml-2 font-normal text-slate-500">· {props.lang}</span>
        </h3>
        <span className="text-xs text-slate-600">{t.example.notRunnable}</span>
      </header>
      <ScrollableCode code={props.code} className="bg-white" />
      {props.expectedOutput !== null && (
        <div className="border-t border-slate-200 px-3 py-2">
          <p className="text-xs font-semibold text-slate-600">{t.example.output}</p>
          <ScrollableCode code={props.expectedOutput} />
        </div>
      )}
    </section>
  );
}
