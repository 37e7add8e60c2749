import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ContentError } from '../schema.ts';
import { parseJsonText } from '../source.ts';

/**
 * `<chapter>/doctor.json`: what the doctor should know about a chapter's examples that the
 * text itself cannot say (text.md stays as its author wrote it). Keys are example ids
 * (`python_chapter_0320_example_09`) or their number (`"09"`, `"9"`).
 */
export const exampleRuleSchema = z
  .object({
    /** exact (default; decimals within tolerance count as loose), unordered, or ignore the output */
    compare: z.enum(['exact', 'unordered', 'ignore']).default('exact'),
    tolerance: z
      .object({ absolute: z.number().nonnegative(), relative: z.number().nonnegative() })
      .partial()
      .optional(),
    timeoutSeconds: z.number().positive().max(300).optional(),
    /** lines whose count/position depends on timing: compared by count (±varyingSlack) only */
    varyingLines: z.array(z.string()).optional(),
    varyingSlack: z.number().int().nonnegative().default(1),
    /** the exit code the example is expected to end with (default 0 when it has no output fence) */
    exitCode: z.number().int().optional(),
    /** why the rule exists; shown in the report */
    reason: z.string().optional(),
  })
  .strict();
export type ExampleRule = z.infer<typeof exampleRuleSchema>;

export const sidecarSchema = z
  .object({ examples: z.record(z.string(), exampleRuleSchema).default({}) })
  .strict();
export type Sidecar = z.infer<typeof sidecarSchema>;

export const SIDECAR_FILE = 'doctor.json';

export function readSidecar(
  courseDir: string,
  chapterId: string,
  exampleIds: string[],
): { rules: Map<string, ExampleRule>; errors: ContentError[] } {
  const file = `${chapterId}/${SIDECAR_FILE}`;
  const path = join(courseDir, file);
  const rules = new Map<string, ExampleRule>();
  if (!existsSync(path)) return { rules, errors: [] };
  const text = readFileSync(path, 'utf8');
  const json = parseJsonText(text);
  if (!json.ok) {
    const { message, line, column } = json;
    return {
      rules,
      errors: [{ file, line, column, message: `doctor.json is not valid JSON: ${message}` }],
    };
  }
  const parsed = sidecarSchema.safeParse(json.data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { rules, errors: [{ file, line: 1, column: 1, message: `doctor.json: ${issues}` }] };
  }
  const errors: ContentError[] = [];
  for (const [key, rule] of Object.entries(parsed.data.examples)) {
    const id = /^\d+$/.test(key) ? `${chapterId}_example_${key.padStart(2, '0')}` : key;
    if (!exampleIds.includes(id)) {
      errors.push({
        file,
        line: 1,
        column: 1,
        message: `doctor.json names example "${key}", which ${chapterId} does not have (it has ${exampleIds.length} examples)`,
      });
      continue;
    }
    rules.set(id, rule);
  }
  return { rules, errors };
}
