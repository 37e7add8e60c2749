'use client';
import type { UiMessages } from '@lms/ui';
import { useI18n } from '@/i18n/client';

/** The shared components' texts in the page's language (the dictionary's `ui` section). */
export function useUiMessages(): UiMessages {
  return useI18n().t.ui;
}
