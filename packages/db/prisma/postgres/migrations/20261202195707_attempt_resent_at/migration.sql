-- AlterTable
ALTER TABLE "attempt" ADD COLUMN     "resentAt" TIMESTAMP(3);
