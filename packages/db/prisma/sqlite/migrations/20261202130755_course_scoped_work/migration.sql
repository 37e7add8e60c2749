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
-- Re-runnable: the whole script is one transaction (the PRAGMAs, which are no-ops inside a
-- transaction, come before it), and every statement also tolerates a partial earlier run.

-- foreign keys stay off while the tables are rebuilt (must be set outside a transaction)
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
BEGIN;

-- the course of each task id's first release (see above), dropped at the end
DROP TABLE IF EXISTS "_course_of_task";
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
    'Work on tasks no release holds (kept by migration 20261202130755_course_scoped_work)', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
WHERE EXISTS (SELECT 1 FROM "attempt" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "content_release" r WHERE r."id" = w."releaseId"))
   OR EXISTS (SELECT 1 FROM "draft" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId"))
   OR EXISTS (SELECT 1 FROM "progress" w WHERE w."taskId" NOT IN (SELECT "taskId" FROM "_course_of_task")
       AND NOT EXISTS (SELECT 1 FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId"))
ON CONFLICT DO NOTHING;

-- RedefineTables
DROP TABLE IF EXISTS "new_attempt";
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
SELECT COALESCE((SELECT r."courseId" FROM "content_release" r WHERE r."id" = w."releaseId"), (SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755'), w."code", w."createdAt", w."durationMs", w."engine", w."gradedAt", w."id", w."idempotencyKey", w."message", w."messageCode", w."pythonImpl", w."pythonVersion", w."releaseId", w."results", w."stage", w."startedAt", w."status", w."stderr", w."stdout", w."taskId", w."testsPassed", w."testsTotal", w."timings", w."userId"
FROM "attempt" w;
DROP TABLE "attempt";
ALTER TABLE "new_attempt" RENAME TO "attempt";
CREATE UNIQUE INDEX IF NOT EXISTS "attempt_idempotencyKey_key" ON "attempt"("idempotencyKey");
CREATE INDEX IF NOT EXISTS "attempt_userId_courseId_taskId_createdAt_idx" ON "attempt"("userId", "courseId", "taskId", "createdAt");
CREATE INDEX IF NOT EXISTS "attempt_status_createdAt_idx" ON "attempt"("status", "createdAt");
DROP TABLE IF EXISTS "new_draft";
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
SELECT COALESCE((SELECT a."courseId" FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId" ORDER BY a."createdAt" DESC, a."id" DESC LIMIT 1), (SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755'), w."code", w."createdAt", w."id", w."taskId", w."updatedAt", w."userId"
FROM "draft" w;
DROP TABLE "draft";
ALTER TABLE "new_draft" RENAME TO "draft";
CREATE UNIQUE INDEX IF NOT EXISTS "draft_userId_courseId_taskId_key" ON "draft"("userId", "courseId", "taskId");
DROP TABLE IF EXISTS "new_progress";
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
SELECT COALESCE((SELECT a."courseId" FROM "attempt" a WHERE a."userId" = w."userId" AND a."taskId" = w."taskId" ORDER BY a."createdAt" DESC, a."id" DESC LIMIT 1), (SELECT c."courseId" FROM "_course_of_task" c WHERE c."taskId" = w."taskId"), 'orphaned_work_20261202130755'), w."answerRevealedAt", w."assisted", w."attempts", w."firstSolvedAt", w."hintOpenedAt", w."id", w."lastAttemptAt", w."quickChecks", w."taskId", w."updatedAt", w."userId"
FROM "progress" w;
DROP TABLE "progress";
ALTER TABLE "new_progress" RENAME TO "progress";
CREATE INDEX IF NOT EXISTS "progress_courseId_taskId_idx" ON "progress"("courseId", "taskId");
CREATE UNIQUE INDEX IF NOT EXISTS "progress_userId_courseId_taskId_key" ON "progress"("userId", "courseId", "taskId");

DROP TABLE "_course_of_task";

COMMIT;
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
