/** A labelled progress bar (role=progressbar); the label is read by screen readers. */
export function ProgressBar(props: {
  value: number;
  max: number;
  label: string;
  done?: boolean;
  className?: string;
}) {
  const pct = props.max > 0 ? Math.round((props.value / props.max) * 100) : 0;
  return (
    <div
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={props.max}
      aria-valuenow={props.value}
      aria-valuetext={props.label}
      className={`h-2 w-full overflow-hidden rounded-full bg-slate-200 ${props.className ?? ''}`}
    >
      <div
        className={`h-full rounded-full transition-[width] ${props.done ? 'bg-emerald-600' : 'bg-brand-600'}`}
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}
