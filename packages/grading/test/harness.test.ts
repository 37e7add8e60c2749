/** The inlined harness (src/harness.gen.ts) is the python/ files as they are now. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, HARNESS_DIR, renderSourcesModule } from '../scripts/generate-harness.ts';
import { HARNESS_SOURCES } from '../src/harness.ts';

describe('inlined sources', () => {
  it('harness.gen.ts is current (rerun scripts/generate-harness.ts)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderSourcesModule());
    expect(HARNESS_SOURCES['lms_checks.py']).toBe(
      readFileSync(join(HARNESS_DIR, 'lms_checks.py'), 'utf8'),
    );
  });
});
