-- AlterTable
ALTER TABLE "attempt" ADD COLUMN     "messageCode" JSONB;
