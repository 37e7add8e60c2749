'use client';
import { type UiMessages, uiMessages } from '@lms/ui';
import { useI18n } from '@/i18n/client';

/** The shared components' texts in the page's language. */
export function useUiMessages(): UiMessages {
  const { locale } = useI18n();
  return uiMessages[locale];
}
