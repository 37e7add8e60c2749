import { useId } from 'react';
import { cn } from './cn.ts';
import { resolveMessages, type UiMessages } from './messages.ts';

/**
 * Dependency-free SVG charts for instructor dashboards. Each SVG is one image with a name
 * and a description listing every value, so screen readers get the data, not the shapes.
 */

export interface BarDatum {
  label: string;
  value: number;
}

export interface BarChartProps {
  data: BarDatum[];
  /** accessible name and visible heading */
  title: string;
  /** scale maximum; default the largest value */
  max?: number;
  formatValue?: (value: number) => string;
  /** tailwind fill class of the bars */
  barClassName?: string;
  messages?: Partial<UiMessages>;
  className?: string;
}

const ROW = 28;
const LABEL_WIDTH = 160;
const VALUE_WIDTH = 56;
const WIDTH = 560;

/** Horizontal bars: long labels (chapter titles, task names) stay readable. */
export function BarChart({
  data,
  title,
  max,
  formatValue,
  barClassName,
  messages,
  className,
}: BarChartProps) {
  const m = resolveMessages(messages);
  const titleId = useId();
  const descId = useId();
  const fmt = formatValue ?? ((v: number) => new Intl.NumberFormat(m.numberLocale).format(v));
  const top = max ?? Math.max(0, ...data.map((d) => d.value));
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(ROW, data.length * ROW);
  const description = data.length
    ? data.map((d) => `${d.label}: ${fmt(d.value)}`).join('; ')
    : m.chartEmpty;

  return (
    <figure className={cn('text-slate-900', className)}>
      <figcaption className="mb-2 text-sm font-semibold">{title}</figcaption>
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        viewBox={`0 0 ${WIDTH} ${height}`}
        className="h-auto w-full"
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        {data.length === 0 ? (
          <text
            x={WIDTH / 2}
            y={ROW / 2 + 5}
            textAnchor="middle"
            className="fill-slate-500 text-sm"
          >
            {m.chartEmpty}
          </text>
        ) : null}
        {data.map((d, index) => {
          const width = top > 0 ? (Math.max(0, Math.min(d.value, top)) / top) * barSpace : 0;
          const y = index * ROW;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: labels may repeat
            <g key={index} data-value={d.value}>
              <text
                x={LABEL_WIDTH - 8}
                y={y + ROW / 2 + 4}
                textAnchor="end"
                className="fill-slate-700 text-xs"
              >
                {truncate(d.label, 24)}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y + 5}
                width={width}
                height={ROW - 10}
                rx={3}
                className={barClassName ?? 'fill-sky-600'}
              />
              <text
                x={LABEL_WIDTH + width + 6}
                y={y + ROW / 2 + 4}
                className="fill-slate-700 text-xs tabular-nums"
              >
                {fmt(d.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export interface SparklineProps {
  values: number[];
  /** accessible name, e.g. "Submissions per day" */
  label: string;
  width?: number;
  height?: number;
  className?: string;
  messages?: Partial<UiMessages>;
}

/** Points of a sparkline scaled into width × height (y grows downwards), 1px padding. */
export function sparklinePoints(
  values: number[],
  width: number,
  height: number,
): Array<[number, number]> {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 2) / (values.length - 1) : 0;
  return values.map((v, i) => [
    round(1 + i * step),
    round(max === min ? height / 2 : 1 + (height - 2) * (1 - (v - min) / span)),
  ]);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function Sparkline({
  values,
  label,
  width = 120,
  height = 32,
  className,
  messages,
}: SparklineProps) {
  const m = resolveMessages(messages);
  const points = sparklinePoints(values, width, height);
  const fmt = new Intl.NumberFormat(m.numberLocale);
  const summary = values.length
    ? `${label}: ${values.map((v) => fmt.format(v)).join(', ')}`
    : `${label}: ${m.chartEmpty}`;
  const last = points[points.length - 1];
  return (
    <svg
      role="img"
      aria-label={summary}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      className={cn('inline-block text-sky-700', className)}
    >
      {points.length > 1 ? (
        <polyline
          points={points.map(([x, y]) => `${x},${y}`).join(' ')}
          fill="none"
          stroke="currentColor"
          strokeWidth={1.5}
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      ) : null}
      {last ? <circle cx={last[0]} cy={last[1]} r={2} fill="currentColor" /> : null}
    </svg>
  );
}
