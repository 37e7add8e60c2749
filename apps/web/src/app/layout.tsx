import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SiteHeader } from '@/components/layout/site-header';
import { I18nProvider } from '@/i18n/client';
import { getI18n } from '@/i18n/server';
import { TRPCReactProvider } from '@/trpc/react';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return {
    title: { default: t.meta.title, template: `%s · ${t.meta.title}` },
    description: t.meta.description,
  };
}

export const viewport: Viewport = {
  themeColor: '#ffffff',
  colorScheme: 'light',
};

export default async function RootLayout(props: { children: ReactNode }) {
  const { locale, t } = await getI18n();
  return (
    <html lang={locale} data-scroll-behavior="smooth">
      <body className="min-h-dvh font-sans">
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-brand-600 px-4 py-2 text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
        >
          {t.a11y.skipToContent}
        </a>
        <I18nProvider locale={locale} t={t}>
          <TRPCReactProvider>
            <SiteHeader />
            <main id="main" tabIndex={-1} className="outline-none">
              {props.children}
            </main>
          </TRPCReactProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
