/**
 * What the instructors' dashboards (router `cohort`, services/dashboard.ts) answer. Types only:
 * the pages import them (type imports do not pull server code into the client).
 */
import type { AttemptStage, AttemptStatus, TestResult } from '@lms/db/types';

/** A cell of the progress matrix (a student × a task). "Not started" is an absent cell. */
export const CELL_STATES = ['first_try', 'solved', 'assisted', 'failing', 'quick_only'] as const;
export type CellState = (typeof CELL_STATES)[number];

/** The cohort as a dashboard heading names it. */
export type CohortHead = {
  id: string;
  slug: string;
  name: string;
  course: { id: string; slug: string; title: string };
};

export type CohortListItem = {
  id: string;
  slug: string;
  name: string;
  course: { slug: string; title: string } | null;
  students: number;
};

export type OverviewTask = {
  id: string;
  title: string;
  chapterId: string;
  /** index into `chapters` */
  chapter: number;
};

export type OverviewStudent = {
  id: string;
  name: string;
  email: string;
  /** the latest graded attempt, hint or answer in the course; null: nothing yet */
  lastActivityAt: Date | null;
  solved: number;
  attempted: number;
};

/**
 * [studentIndex, taskIndex, state, finalAttempts, quickChecks, lastFinalStatus]: only cells with
 * something in them (sparse: 500 × 200 dense cells would be megabytes).
 */
export type OverviewCell = [number, number, CellState, number, number, AttemptStatus | null];

export type Overview = {
  cohort: CohortHead;
  chapters: Array<{ id: string; title: string }>;
  tasks: OverviewTask[];
  students: OverviewStudent[];
  cells: OverviewCell[];
  /** the `pulse` this answer was read at */
  version: string;
};

export type TaskStats = {
  cohort: CohortHead;
  task: { id: string; title: string; chapterId: string; chapterTitle: string };
  students: number;
  attempted: number;
  solved: number;
  /** solved / students (0 with no students) */
  solveRate: number;
  /** of the students who solved it; null when nobody did */
  medianAttemptsToSolve: number | null;
  /** minutes from the first graded final attempt to the first solve; null when nobody solved */
  medianMinutesToSolve: number | null;
  hintsOpened: number;
  answersRevealed: number;
  /** answer revealed before the first solve */
  assisted: number;
  /** per test, how many students' latest final attempt fails it (tests in the latest order seen) */
  tests: Array<{ name: string; hidden: boolean; failingStudents: number }>;
  /** students by final attempts to solve: [{ attempts: 1, students: 12 }, …] */
  attemptsToSolve: Array<{ attempts: number; students: number }>;
};

export type GroupAttemptRef = {
  attemptId: string;
  studentId: string;
  studentName: string;
  code: string;
  createdAt: Date;
};

export type GroupNote = { body: string; authorName: string | null; updatedAt: Date };

/** Wrong answers of one task that fail the same way (failKey), split by code shape. */
export type FailureGroup = {
  failKey: string;
  /** the verdict: failed, error, timeout, memory, output_limit */
  status: AttemptStatus;
  failingTests: string[];
  /** the first failing message, normalised (numbers and quoted values kept, addresses dropped) */
  message: string;
  students: number;
  attempts: number;
  /** students whose first attempt in this group is within the last hour */
  newStudentsLastHour: number;
  representative: GroupAttemptRef;
  shapes: Array<{
    shapeHash: string;
    students: number;
    attempts: number;
    representative: GroupAttemptRef;
  }>;
  note: GroupNote | null;
};

export type TaskGroups = { taskId: string; failedAttempts: number; groups: FailureGroup[] };

export type GroupAttempt = {
  attemptId: string;
  studentId: string;
  studentName: string;
  shapeHash: string | null;
  status: AttemptStatus;
  testsPassed: number | null;
  testsTotal: number | null;
  code: string;
  createdAt: Date;
};

export type AttentionSettings = {
  /** N: failed final attempts on one task … */
  failedAttempts: number;
  /** … within M minutes, and no solve */
  withinMinutes: number;
  /** D: no activity for this many days */
  inactiveDays: number;
  /** K: a group that gained this many students in the last hour */
  groupGrowth: number;
};

export type Attention = {
  settings: AttentionSettings;
  struggling: Array<{
    studentId: string;
    name: string;
    taskId: string;
    taskTitle: string;
    failed: number;
    lastAt: Date;
  }>;
  inactive: Array<{ studentId: string; name: string; lastActivityAt: Date | null }>;
  growingGroups: Array<{
    taskId: string;
    taskTitle: string;
    failKey: string;
    message: string;
    newStudents: number;
  }>;
};

/** A program whose quick check (browser) and final check (server) disagree. */
export type Disagreement = {
  taskId: string;
  taskTitle: string;
  studentId: string;
  studentName: string;
  code: string;
  quick: EngineRun;
  final: EngineRun;
  /** tests both ran with different outcomes (by name) */
  tests: Array<{ name: string; quick: string; final: string }>;
};
export type EngineRun = {
  attemptId: string;
  status: AttemptStatus;
  engine: string | null;
  pythonImpl: string | null;
  pythonVersion: string | null;
  at: Date;
};
export type Disagreements = {
  /** per task: how many programs disagree */
  tasks: Array<{ taskId: string; taskTitle: string; programs: number }>;
  /** the newest ones (at most 200) */
  programs: Disagreement[];
};

export type TimelineAttempt = {
  kind: 'attempt';
  at: Date;
  attemptId: string;
  taskId: string;
  taskTitle: string;
  stage: AttemptStage;
  status: AttemptStatus;
  testsPassed: number | null;
  testsTotal: number | null;
  message: string | null;
  results: TestResult[] | null;
  engine: string | null;
  pythonVersion: string | null;
  code: string;
  /** the same student's previous attempt at the same task and stage (for the diff) */
  previousAttemptId: string | null;
};
export type TimelineEvent =
  | TimelineAttempt
  | { kind: 'hint' | 'answer'; at: Date; taskId: string; taskTitle: string };

export type StudentTimeline = {
  cohort: CohortHead;
  student: { id: string; name: string; email: string };
  /** newest first */
  events: TimelineEvent[];
};

export type Charts = {
  /** per day (UTC, YYYY-MM-DD) with at least one first solve */
  solvesOverTime: Array<{ day: string; solves: number; cumulative: number }>;
  /** in course order */
  attemptsPerTask: Array<{ taskId: string; title: string; attempts: number; students: number }>;
  attemptsToSolve: Array<{ attempts: number; students: number }>;
};
