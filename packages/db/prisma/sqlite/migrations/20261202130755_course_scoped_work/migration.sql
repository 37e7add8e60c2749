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
    'Work on tasks no release holds (kept by migration 20261202130755_course_scoped_work)', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
WHERE EXISTS (SELECT 1 FROM "draft" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task"))
   OR EXISTS (SELECT 1 FROM "progress" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task"))
   OR EXISTS (SELECT 1 FROM "attempt" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "content_release" r WHERE r."id" = w."releaseId"));

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_attempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "releaseId" TEXT,
    "stage" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "code" TEXT NOT NULL,
    "results" JSONB,
    "testsPassed" INTEGER,
    "testsTotal" INTEGER,
    "message" TEXT,
    "messageCode" JSONB,
    "stdout" TEXT,
    "stderr" TEXT,
    "timings" JSONB,
    "durationMs" INTEGER,
    "pythonImpl" TEXT,
    "pythonVersion" TEXT,
    "engine" TEXT,
    "idempotencyKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "gradedAt" DATETIME,
    CONSTRAINT "attempt_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "attempt_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "attempt_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "content_release" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_attempt" ("courseId", "code", "createdAt", "durationMs", "engine", "gradedAt", "id", "idempotencyKey", "message", "messageCode", "pythonImpl", "pythonVersion", "releaseId", "results", "stage", "startedAt", "status", "stderr", "stdout", "taskId", "testsPassed", "testsTotal", "timings", "userId")
SELECT COALESCE((SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), (SELECT r."courseId" FROM "content_release" r WHERE r."id" = w."releaseId"), 'orphaned_work_20261202130755'), w."code", w."createdAt", w."durationMs", w."engine", w."gradedAt", w."id", w."idempotencyKey", w."message", w."messageCode", w."pythonImpl", w."pythonVersion", w."releaseId", w."results", w."stage", w."startedAt", w."status", w."stderr", w."stdout", w."taskId", w."testsPassed", w."testsTotal", w."timings", w."userId"
FROM "attempt" w;
DROP TABLE "attempt";
ALTER TABLE "new_attempt" RENAME TO "attempt";
CREATE UNIQUE INDEX "attempt_idempotencyKey_key" ON "attempt"("idempotencyKey");
CREATE INDEX "attempt_userId_courseId_taskId_createdAt_idx" ON "attempt"("userId", "courseId", "taskId", "createdAt");
CREATE INDEX "attempt_status_createdAt_idx" ON "attempt"("status", "createdAt");
CREATE TABLE "new_draft" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "draft_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "draft_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_draft" ("courseId", "code", "createdAt", "id", "taskId", "updatedAt", "userId")
SELECT COALESCE((SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755'), w."code", w."createdAt", w."id", w."taskId", w."updatedAt", w."userId"
FROM "draft" w;
DROP TABLE "draft";
ALTER TABLE "new_draft" RENAME TO "draft";
CREATE UNIQUE INDEX "draft_userId_courseId_taskId_key" ON "draft"("userId", "courseId", "taskId");
CREATE TABLE "new_progress" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "quickChecks" INTEGER NOT NULL DEFAULT 0,
    "firstSolvedAt" DATETIME,
    "lastAttemptAt" DATETIME,
    "hintOpenedAt" DATETIME,
    "answerRevealedAt" DATETIME,
    "assisted" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "progress_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "progress_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_progress" ("courseId", "answerRevealedAt", "assisted", "attempts", "firstSolvedAt", "hintOpenedAt", "id", "lastAttemptAt", "quickChecks", "taskId", "updatedAt", "userId")
SELECT COALESCE((SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755'), w."answerRevealedAt", w."assisted", w."attempts", w."firstSolvedAt", w."hintOpenedAt", w."id", w."lastAttemptAt", w."quickChecks", w."taskId", w."updatedAt", w."userId"
FROM "progress" w;
DROP TABLE "progress";
ALTER TABLE "new_progress" RENAME TO "progress";
CREATE INDEX "progress_courseId_taskId_idx" ON "progress"("courseId", "taskId");
CREATE UNIQUE INDEX "progress_userId_courseId_taskId_key" ON "progress"("userId", "courseId", "taskId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

DROP TABLE "_course_of_task";
