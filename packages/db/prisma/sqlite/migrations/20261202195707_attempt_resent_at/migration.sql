-- AlterTable
ALTER TABLE "attempt" ADD COLUMN "resentAt" DATETIME;
