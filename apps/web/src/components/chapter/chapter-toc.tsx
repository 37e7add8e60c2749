'use client';
import { type HeadingEntry, TableOfContents } from '@lms/ui';
import { useEffect, useState } from 'react';
import { useI18n } from '@/i18n/client';
import { useUiMessages } from './ui-messages';

/** The chapter's table of contents, marking the section being read. */
export function ChapterToc(props: { headings: HeadingEntry[] }) {
  const { t } = useI18n();
  const messages = useUiMessages();
  const [activeId, setActiveId] = useState<string | null>(null);

  useEffect(() => {
    const elements = props.headings
      .map((h) => document.getElementById(h.id))
      .filter((el): el is HTMLElement => el !== null);
    if (elements.length === 0) return;
    const onScroll = () => {
      // the last heading above the upper fifth of the viewport is the current section
      const line = window.innerHeight * 0.2;
      let current: string | null = null;
      for (const el of elements) {
        if (el.getBoundingClientRect().top <= line) current = el.id;
        else break;
      }
      setActiveId(current ?? elements[0]!.id);
    };
    onScroll();
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [props.headings]);

  return (
    <TableOfContents
      headings={props.headings}
      activeId={activeId}
      title={t.chapter.toc}
      messages={messages}
    />
  );
}
