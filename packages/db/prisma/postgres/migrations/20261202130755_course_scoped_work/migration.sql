-- Task ids are unique only within a course: drafts, progress and attempts get their course
-- (courseId, the course's internal id) and their keys become (userId, courseId, taskId).
--
-- Backfill, in this order:
-- - an attempt: the course of its own release, else the course of its task id's first
--   release, else "_orphaned-work" (below),
-- - a draft or a progress row: the course of the user's latest attempt on that task (after
--   the attempts are backfilled), else the course of its task id's first release, else
--   "_orphaned-work". There was one row per (user, task), so it gets one course and the new
--   unique keys hold.
-- A task id's first release is the release holding it that was published first (releases
-- never published, i.e. drafts, only when no published one holds it, ties by creation time,
-- then id). A row left without a course (its task in no release at all: not made by the app)
-- is kept under a course created only then, "_orphaned-work" (no release: never shown).
--
-- Re-runnable: adapter-pg runs this script one statement at a time (split on every
-- semicolon, so none may appear in a comment or a string), each committed on its own, so
-- every statement tolerates a partial earlier run (IF EXISTS / IF NOT EXISTS, ON CONFLICT,
-- backfills recomputed from scratch).

-- the helper table of a failed earlier run
DROP TABLE IF EXISTS "_course_of_task";

-- DropIndex
DROP INDEX IF EXISTS "attempt_userId_taskId_createdAt_idx";

-- DropIndex
DROP INDEX IF EXISTS "draft_userId_taskId_key";

-- DropIndex
DROP INDEX IF EXISTS "progress_taskId_idx";

-- DropIndex
DROP INDEX IF EXISTS "progress_userId_taskId_key";

-- AlterTable
ALTER TABLE "attempt" ADD COLUMN IF NOT EXISTS "courseId" TEXT;

-- AlterTable
ALTER TABLE "draft" ADD COLUMN IF NOT EXISTS "courseId" TEXT;

-- AlterTable
ALTER TABLE "progress" ADD COLUMN IF NOT EXISTS "courseId" TEXT;

-- Backfill (see above)
-- the course of each task id's first release, dropped at the end
CREATE TABLE "_course_of_task" ("taskId" TEXT NOT NULL PRIMARY KEY, "courseId" TEXT NOT NULL);
INSERT INTO "_course_of_task" ("taskId", "courseId")
SELECT t."taskId", (
    SELECT r."courseId" FROM "release_task" rt
    JOIN "content_release" r ON r."id" = rt."releaseId"
    WHERE rt."taskId" = t."taskId"
    ORDER BY (r."publishedAt" IS NULL), COALESCE(r."publishedAt", r."createdAt"), r."createdAt", r."id"
    LIMIT 1)
FROM (SELECT DISTINCT "taskId" FROM "release_task") t;

-- the course that keeps work no release accounts for, only when there is such work
INSERT INTO "course" ("id", "slug", "title", "createdAt")
SELECT 'orphaned_work_20261202130755', '_orphaned-work',
    'Work on tasks no release holds (kept by migration 20261202130755_course_scoped_work)', CURRENT_TIMESTAMP
WHERE EXISTS (SELECT 1 FROM "attempt" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "content_release" r WHERE r."id" = w."releaseId"))
   OR EXISTS (SELECT 1 FROM "draft" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId"))
   OR EXISTS (SELECT 1 FROM "progress" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId"))
ON CONFLICT DO NOTHING;

UPDATE "attempt" w SET "courseId" = COALESCE((SELECT r."courseId" FROM "content_release" r WHERE r."id" = w."releaseId"), (SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755');
UPDATE "draft" w SET "courseId" = COALESCE((SELECT a."courseId" FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId" ORDER BY a."createdAt" DESC, a."id" DESC LIMIT 1), (SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755');
UPDATE "progress" w SET "courseId" = COALESCE((SELECT a."courseId" FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId" ORDER BY a."createdAt" DESC, a."id" DESC LIMIT 1), (SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755');

ALTER TABLE "attempt" ALTER COLUMN "courseId" SET NOT NULL;
ALTER TABLE "draft" ALTER COLUMN "courseId" SET NOT NULL;
ALTER TABLE "progress" ALTER COLUMN "courseId" SET NOT NULL;

DROP TABLE "_course_of_task";

-- CreateIndex
CREATE INDEX IF NOT EXISTS "attempt_userId_courseId_taskId_createdAt_idx" ON "attempt"("userId", "courseId", "taskId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "draft_userId_courseId_taskId_key" ON "draft"("userId", "courseId", "taskId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "progress_courseId_taskId_idx" ON "progress"("courseId", "taskId");

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "progress_userId_courseId_taskId_key" ON "progress"("userId", "courseId", "taskId");

-- AddForeignKey (dropped first: a failed earlier run may have added it)
ALTER TABLE "attempt" DROP CONSTRAINT IF EXISTS "attempt_courseId_fkey";
ALTER TABLE "attempt" ADD CONSTRAINT "attempt_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "draft" DROP CONSTRAINT IF EXISTS "draft_courseId_fkey";
ALTER TABLE "draft" ADD CONSTRAINT "draft_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "progress" DROP CONSTRAINT IF EXISTS "progress_courseId_fkey";
ALTER TABLE "progress" ADD CONSTRAINT "progress_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
