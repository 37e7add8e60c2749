// Everything but the CodeEditor, which is its own entry (`@lms/ui/CodeEditor`) so that
// CodeMirror lands in a lazily loaded chunk. Its shortcut table is light and exported here.
export {
  AttemptHistory,
  type AttemptHistoryProps,
  type AttemptSummary,
} from './AttemptHistory.tsx';
export { CodeDiff, type CodeDiffProps } from './CodeDiff.tsx';
export {
  BarChart,
  type BarChartProps,
  type BarDatum,
  Sparkline,
  type SparklineProps,
  sparklinePoints,
} from './charts.tsx';
export { type ClassValue, cn, focusRing } from './cn.ts';
export {
  type ComparedLine,
  compareOutput,
  type LineMatch,
  type OutputComparison,
} from './compareOutput.ts';
export {
  type DiffLine,
  type DiffOp,
  type DiffOptions,
  type DiffRow,
  type DiffStats,
  diffLines,
  diffStats,
  splitLines,
  unifiedRows,
} from './diff.ts';
export { engineLabel, formatDuration, shortPythonVersion } from './format.ts';
export { AlertIcon, CheckIcon, ClockIcon, CrossIcon, InfoIcon } from './icons.tsx';
export {
  defaultInternalHref,
  type HighlightedCode,
  type InternalLink,
  inlineText,
  LessonBlocks,
  type LessonBlocksProps,
  type LinkComponent,
  type LinkComponentProps,
  lookupHighlighted,
} from './LessonBlocks.tsx';
export { format, resolveMessages, type UiLocale, type UiMessages, uiMessages } from './messages.ts';
export {
  type OutputChunk,
  OutputConsole,
  type OutputConsoleProps,
  type RunStatus,
} from './OutputConsole.tsx';
export {
  type ChapterProgressItem,
  ChapterProgressList,
  type ChapterProgressListProps,
  ProgressBar,
  type ProgressBarProps,
} from './Progress.tsx';
export {
  ariaShortcut,
  Badge,
  type BadgeProps,
  type BadgeTone,
  Button,
  type ButtonProps,
  type ButtonSize,
  type ButtonVariant,
  formatShortcut,
  Kbd,
  type KbdProps,
  Spinner,
  shortcutKeys,
} from './primitives.tsx';
export { type EditorShortcuts, editorShortcuts, isMacPlatform } from './shortcuts.ts';
export {
  collectHeadings,
  type HeadingEntry,
  TableOfContents,
  type TableOfContentsProps,
} from './TableOfContents.tsx';
export {
  limitText,
  pendingStatuses,
  shownMessage,
  type TestStatus,
  type VerdictResult,
  type VerdictStatus,
  type VerdictTest,
  VerdictView,
  type VerdictViewProps,
  verdictText,
} from './VerdictView.tsx';
