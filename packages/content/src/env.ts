import { z } from 'zod';

/** The environment of the content CLI and doctor (the only place that reads process.env). */
const envSchema = z.object({
  /** path to the grader CLI (`lms-grader`), when it is not found in the repo */
  LMS_GRADER_BIN: z.string().min(1).optional(),
  /** CPython used by the doctor's own runner when the grader CLI is absent */
  LMS_DOCTOR_PYTHON: z.string().min(1).default('/usr/bin/python3'),
});

export type ContentEnv = z.infer<typeof envSchema>;

export function readEnv(source: Record<string, string | undefined> = process.env): ContentEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** The environment a child process (the grader) gets: this one's, with `extra` on top. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
