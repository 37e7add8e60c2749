import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  attention,
  charts,
  disagreements,
  groupAttempts,
  myCohorts,
  overview,
  pulse,
  setAttention,
  setGroupNote,
  studentTimeline,
  taskGroups,
  taskStats,
} from '../services/dashboard';
import { instructorProcedure } from '../trpc';
import { slug } from './inputs';

/**
 * The instructors' dashboards. Every procedure needs the instructor role (instructorProcedure:
 * students are FORBIDDEN) and then the cohort: an instructor only their own cohorts, an admin
 * any (services/dashboard.ts watchableCohort: anything else is COHORT_NOT_FOUND).
 */
const cohortRef = z.object({ cohort: z.string().min(1).max(200) });
const cohortTask = cohortRef.extend({ taskId: slug });
const hash = z
  .string()
  .max(64)
  .regex(/^[0-9a-f]*$/, 'a key of hex digits');
const count = (max: number) => z.number().int().min(1).max(max);

export const cohortRouter = {
  /** The cohorts the caller may watch: an instructor's own, an admin's all. */
  mine: instructorProcedure.query(({ ctx }) => myCohorts(ctx)),
  /** Students × tasks of the cohort's course (sparse cells), with a pulse version. */
  overview: instructorProcedure
    .input(cohortRef)
    .query(({ ctx, input }) => overview(ctx, input.cohort)),
  /** Cheap: changes when a verdict, hint, answer, note or member changes (poll it). */
  pulse: instructorProcedure.input(cohortRef).query(({ ctx, input }) => pulse(ctx, input.cohort)),
  task: instructorProcedure.input(cohortTask).query(({ ctx, input }) => taskStats(ctx, input)),
  /** The task's wrong answers grouped by how they fail, then by the shape of the code. */
  groups: instructorProcedure.input(cohortTask).query(({ ctx, input }) => taskGroups(ctx, input)),
  groupAttempts: instructorProcedure
    .input(cohortTask.extend({ failKey: hash.min(1), shapeHash: hash.optional() }))
    .query(({ ctx, input }) => groupAttempts(ctx, input)),
  /** The cohort's note on a group (empty body: removed); audited. */
  setGroupNote: instructorProcedure
    .input(cohortTask.extend({ failKey: hash.min(1), body: z.string().max(4000) }))
    .mutation(({ ctx, input }) => setGroupNote(ctx, input)),
  attention: instructorProcedure
    .input(cohortRef)
    .query(({ ctx, input }) => attention(ctx, input.cohort)),
  setAttention: instructorProcedure
    .input(
      cohortRef.extend({
        failedAttempts: count(100),
        withinMinutes: count(7 * 24 * 60),
        inactiveDays: count(365),
        groupGrowth: count(1000),
      }),
    )
    .mutation(({ ctx, input }) => setAttention(ctx, input)),
  disagreements: instructorProcedure
    .input(cohortRef)
    .query(({ ctx, input }) => disagreements(ctx, input.cohort)),
  student: instructorProcedure
    .input(cohortRef.extend({ studentId: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => studentTimeline(ctx, input)),
  charts: instructorProcedure.input(cohortRef).query(({ ctx, input }) => charts(ctx, input.cohort)),
} satisfies TRPCRouterRecord;
