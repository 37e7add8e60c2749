import 'server-only';

import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { createTRPCOptionsProxy, type TRPCQueryOptions } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { cache, type ReactNode } from 'react';
import { createRequestContext } from '@/server/request-context';
import { appRouter, createCaller } from '@/server/root';
import { makeQueryClient } from './query-client';

/** One context per RSC render (session read once). */
const createContext = cache(async () => createRequestContext({ headers: await headers() }));

/** One QueryClient per request. */
export const getQueryClient = cache(makeQueryClient);

/**
 * Options proxy for server components:
 * `void getQueryClient().prefetchQuery(trpc.chapter.get.queryOptions({...}))` or `prefetch(...)`,
 * then wrap the client part in `<HydrateClient>`.
 */
export const trpc = createTRPCOptionsProxy({
  ctx: createContext,
  router: appRouter,
  queryClient: getQueryClient,
});

/** Direct calls in server components when no client component needs the data: `await (await api()).course.list()`. */
export const api = cache(async () => createCaller(await createContext()));

export function HydrateClient(props: { children: ReactNode }) {
  return (
    <HydrationBoundary state={dehydrate(getQueryClient())}>{props.children}</HydrationBoundary>
  );
}

// biome-ignore lint/suspicious/noExplicitAny: accepts any procedure's query options
export function prefetch<T extends ReturnType<TRPCQueryOptions<any>>>(queryOptions: T) {
  const queryClient = getQueryClient();
  if (queryOptions.queryKey[1]?.type === 'infinite') {
    // biome-ignore lint/suspicious/noExplicitAny: infinite options share the key shape
    void queryClient.prefetchInfiniteQuery(queryOptions as any);
  } else {
    void queryClient.prefetchQuery(queryOptions);
  }
}
