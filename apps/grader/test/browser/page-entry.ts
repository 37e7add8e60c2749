// The test page's script: exposes the client to Playwright as window.lms.
import { createPythonRunner } from '../../src/browser/client.ts';

(globalThis as unknown as Record<string, unknown>).lms = { createPythonRunner };
