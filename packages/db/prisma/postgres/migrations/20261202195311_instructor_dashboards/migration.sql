-- AlterTable
ALTER TABLE "attempt" ADD COLUMN     "codeHash" TEXT,
ADD COLUMN     "failKey" TEXT,
ADD COLUMN     "failMessage" TEXT,
ADD COLUMN     "shapeHash" TEXT;

-- AlterTable
ALTER TABLE "cohort" ADD COLUMN     "attention" JSONB;

-- AlterTable
ALTER TABLE "progress" ADD COLUMN     "attemptsToSolve" INTEGER,
ADD COLUMN     "firstAttemptAt" TIMESTAMP(3),
ADD COLUMN     "lastFailKey" TEXT,
ADD COLUMN     "lastFinalId" TEXT,
ADD COLUMN     "lastStatus" TEXT;

-- AlterTable
ALTER TABLE "user" ADD COLUMN     "disabledAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "failure_group_note" (
    "id" TEXT NOT NULL,
    "cohortId" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "failKey" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "authorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "failure_group_note_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "engine_disagreement" (
    "id" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "quickAttemptId" TEXT NOT NULL,
    "finalAttemptId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "engine_disagreement_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "failure_group_note" ADD CONSTRAINT "failure_group_note_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "failure_group_note" ADD CONSTRAINT "failure_group_note_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
