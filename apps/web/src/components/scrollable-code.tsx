/** Plain code in a scrollable box; focusable so keyboard users can scroll it (axe: scrollable-region-focusable). */
export function ScrollableCode(props: { code: string; className?: string }) {
  const cls = `overflow-x-auto rounded-lg p-3 font-mono text-sm leading-6 ${props.className ?? 'bg-slate-50'}`;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <pre tabIndex={0} className={cls}>
      <code>{props.code}</code>
    </pre>
  );
}
