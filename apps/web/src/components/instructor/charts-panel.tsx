'use client';
import { useQuery } from '@tanstack/react-query';
import { type ReactElement, type ReactNode, useId } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useI18n } from '@/i18n/client';
import { useTRPC } from '@/trpc/react';
import { QueryStatus } from './common';

const HEIGHT = 220;

/**
 * Solves over time (cumulative), final attempts per task and the distribution of attempts to
 * solve. The charts are pictures for sighted readers (aria-hidden); each has its data as a
 * table beside it.
 */
export function ChartsPanel(props: { cohort: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const ids = useId();
  const query = useQuery(trpc.cohort.charts.queryOptions({ cohort: props.cohort }));
  const data = query.data;
  const i = t.instructor;
  return (
    <section aria-labelledby={`${ids}-title`} className="space-y-4" data-testid="charts">
      <h2 id={`${ids}-title`} className="text-xl font-semibold">
        {i.chartsTitle}
      </h2>
      <QueryStatus isLoading={query.isLoading} error={query.error} />
      {data && (
        <div className="grid gap-4 lg:grid-cols-3">
          <Chart
            title={i.solvesOverTime}
            empty={data.solvesOverTime.length === 0}
            chart={
              <LineChart data={data.solvesOverTime}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" fontSize={11} />
                <YAxis allowDecimals={false} fontSize={11} />
                <Tooltip />
                <Line
                  type="stepAfter"
                  dataKey="cumulative"
                  name={i.cumulative}
                  stroke="#2563eb"
                  dot={false}
                  isAnimationActive={false}
                />
              </LineChart>
            }
            table={
              <DataTable
                caption={i.solvesOverTime}
                head={[i.day, i.solves, i.cumulative]}
                rows={data.solvesOverTime.map((d) => [d.day, d.solves, d.cumulative])}
              />
            }
          />
          <Chart
            title={i.attemptsPerTask}
            empty={data.attemptsPerTask.length === 0}
            chart={
              <BarChart data={data.attemptsPerTask}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="title" hide />
                <YAxis allowDecimals={false} fontSize={11} />
                <Tooltip />
                <Bar
                  dataKey="attempts"
                  name={i.attempts}
                  fill="#0ea5e9"
                  isAnimationActive={false}
                />
              </BarChart>
            }
            table={
              <DataTable
                caption={i.attemptsPerTask}
                head={[i.task, i.attempts, i.studentsColumn]}
                rows={data.attemptsPerTask.map((d) => [d.title, d.attempts, d.students])}
              />
            }
          />
          <Chart
            title={i.attemptsToSolve}
            empty={data.attemptsToSolve.length === 0}
            chart={
              <BarChart data={data.attemptsToSolve}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="attempts" fontSize={11} />
                <YAxis allowDecimals={false} fontSize={11} />
                <Tooltip />
                <Bar
                  dataKey="students"
                  name={i.studentsColumn}
                  fill="#10b981"
                  isAnimationActive={false}
                />
              </BarChart>
            }
            table={
              <DataTable
                caption={i.attemptsToSolve}
                head={[i.attemptsToSolveColumn, i.studentsColumn]}
                rows={data.attemptsToSolve.map((d) => [d.attempts, d.students])}
              />
            }
          />
        </div>
      )}
    </section>
  );
}

function Chart(props: { title: string; empty: boolean; chart: ReactElement; table: ReactNode }) {
  const { t } = useI18n();
  return (
    <figure className="card space-y-2 p-4">
      <figcaption className="text-sm font-semibold">{props.title}</figcaption>
      {props.empty ? (
        <p className="text-sm text-slate-600">{t.ui.chartEmpty}</p>
      ) : (
        <>
          <div aria-hidden="true" style={{ height: HEIGHT }}>
            <ResponsiveContainer width="100%" height={HEIGHT}>
              {props.chart}
            </ResponsiveContainer>
          </div>
          <details>
            <summary className="cursor-pointer text-xs text-slate-700">
              {t.instructor.dataTable}
            </summary>
            {props.table}
          </details>
        </>
      )}
    </figure>
  );
}

function DataTable(props: {
  caption: string;
  head: string[];
  rows: Array<Array<string | number>>;
}) {
  return (
    <div className="mt-2 max-h-64 overflow-auto">
      <table className="w-full text-left text-xs">
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th key={h} scope="col" className="border-b border-slate-200 px-1 py-1 font-semibold">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of a fixed table have no identity of their own
            <tr key={r}>
              {row.map((cell, c) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                <td key={c} className="border-b border-slate-100 px-1 py-0.5">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
