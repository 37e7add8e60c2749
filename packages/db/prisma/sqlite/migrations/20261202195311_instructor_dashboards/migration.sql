-- AlterTable
ALTER TABLE "attempt" ADD COLUMN "codeHash" TEXT;
ALTER TABLE "attempt" ADD COLUMN "failKey" TEXT;
ALTER TABLE "attempt" ADD COLUMN "failMessage" TEXT;
ALTER TABLE "attempt" ADD COLUMN "shapeHash" TEXT;

-- AlterTable
ALTER TABLE "cohort" ADD COLUMN "attention" JSONB;

-- AlterTable
ALTER TABLE "progress" ADD COLUMN "attemptsToSolve" INTEGER;
ALTER TABLE "progress" ADD COLUMN "firstAttemptAt" DATETIME;
ALTER TABLE "progress" ADD COLUMN "lastFailKey" TEXT;
ALTER TABLE "progress" ADD COLUMN "lastFinalId" TEXT;
ALTER TABLE "progress" ADD COLUMN "lastStatus" TEXT;

-- AlterTable
ALTER TABLE "user" ADD COLUMN "disabledAt" DATETIME;

-- CreateTable
CREATE TABLE "failure_group_note" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "cohortId" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "failKey" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "authorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "failure_group_note_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "cohort" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "failure_group_note_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "user" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "engine_disagreement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "quickAttemptId" TEXT NOT NULL,
    "finalAttemptId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "failure_group_note_courseId_taskId_failKey_idx" ON "failure_group_note"("courseId", "taskId", "failKey");

-- CreateIndex
CREATE UNIQUE INDEX "failure_group_note_cohortId_courseId_taskId_failKey_key" ON "failure_group_note"("cohortId", "courseId", "taskId", "failKey");

-- CreateIndex
CREATE UNIQUE INDEX "engine_disagreement_finalAttemptId_key" ON "engine_disagreement"("finalAttemptId");

-- CreateIndex
CREATE INDEX "engine_disagreement_courseId_taskId_idx" ON "engine_disagreement"("courseId", "taskId");

-- CreateIndex
CREATE INDEX "attempt_courseId_taskId_stage_failKey_idx" ON "attempt"("courseId", "taskId", "stage", "failKey");

-- CreateIndex
CREATE INDEX "attempt_courseId_stage_createdAt_idx" ON "attempt"("courseId", "stage", "createdAt");

-- CreateIndex
CREATE INDEX "attempt_userId_courseId_taskId_codeHash_idx" ON "attempt"("userId", "courseId", "taskId", "codeHash");

-- CreateIndex
CREATE INDEX "progress_courseId_updatedAt_idx" ON "progress"("courseId", "updatedAt");
