-- Task ids are unique only within a course: drafts, progress and attempts get their course
-- (courseId, the course's internal id) and their keys become (userId, courseId, taskId).
--
-- Backfill: a row's course is the course of the task id's first release, i.e. the release
-- holding the task that was published first (releases never published, i.e. drafts, only
-- when no published one holds it, ties by creation time, then id). A task id present in several
-- courses (copies of one course under another slug) goes to the course that published it
-- first: every row of one (user, task) goes to the same course, so the new unique keys hold.
-- An attempt whose task id no release holds keeps the course of its own release. A row left
-- without a course (its task in no release at all: not made by the app) is kept too, under a
-- course created only then, "_orphaned-work" (no release: never shown to students).

-- DropIndex
DROP INDEX "attempt_userId_taskId_createdAt_idx";

-- DropIndex
DROP INDEX "draft_userId_taskId_key";

-- DropIndex
DROP INDEX "progress_taskId_idx";

-- DropIndex
DROP INDEX "progress_userId_taskId_key";

-- AlterTable
ALTER TABLE "attempt" ADD COLUMN     "courseId" TEXT;

-- AlterTable
ALTER TABLE "draft" ADD COLUMN     "courseId" TEXT;

-- AlterTable
ALTER TABLE "progress" ADD COLUMN     "courseId" TEXT;

-- Backfill (see above)
-- the course of each task id (see above), dropped at the end
CREATE TABLE "_course_of_task" ("taskId" TEXT NOT NULL PRIMARY KEY, "courseId" TEXT NOT NULL);
INSERT INTO "_course_of_task" ("taskId", "courseId")
SELECT t."taskId", (
    SELECT r."courseId" FROM "release_task" rt
    JOIN "content_release" r ON r."id" = rt."releaseId"
    WHERE rt."taskId" = t."taskId"
    ORDER BY (r."publishedAt" IS NULL), COALESCE(r."publishedAt", r."createdAt"), r."createdAt", r."id"
    LIMIT 1)
FROM (SELECT DISTINCT "taskId" FROM "release_task") t;

-- the course that keeps work on task ids no release holds, only when there is such work
INSERT INTO "course" ("id", "slug", "title", "createdAt")
SELECT 'orphaned_work_20261202130755', '_orphaned-work',
    'Work on tasks no release holds (kept by migration 20261202130755_course_scoped_work)', CURRENT_TIMESTAMP
WHERE EXISTS (SELECT 1 FROM "draft" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task"))
   OR EXISTS (SELECT 1 FROM "progress" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task"))
   OR EXISTS (SELECT 1 FROM "attempt" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "content_release" r WHERE r."id" = w."releaseId"));

UPDATE "attempt" w SET "courseId" = COALESCE((SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), (SELECT r."courseId" FROM "content_release" r WHERE r."id" = w."releaseId"), 'orphaned_work_20261202130755');
UPDATE "draft" w SET "courseId" = COALESCE((SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755');
UPDATE "progress" w SET "courseId" = COALESCE((SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755');

ALTER TABLE "attempt" ALTER COLUMN "courseId" SET NOT NULL;
ALTER TABLE "draft" ALTER COLUMN "courseId" SET NOT NULL;
ALTER TABLE "progress" ALTER COLUMN "courseId" SET NOT NULL;

DROP TABLE "_course_of_task";

-- CreateIndex
CREATE INDEX "attempt_userId_courseId_taskId_createdAt_idx" ON "attempt"("userId", "courseId", "taskId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "draft_userId_courseId_taskId_key" ON "draft"("userId", "courseId", "taskId");

-- CreateIndex
CREATE INDEX "progress_courseId_taskId_idx" ON "progress"("courseId", "taskId");

-- CreateIndex
CREATE UNIQUE INDEX "progress_userId_courseId_taskId_key" ON "progress"("userId", "courseId", "taskId");

-- AddForeignKey
ALTER TABLE "attempt" ADD CONSTRAINT "attempt_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "draft" ADD CONSTRAINT "draft_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "progress" ADD CONSTRAINT "progress_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
