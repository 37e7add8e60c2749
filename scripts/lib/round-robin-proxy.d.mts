// Types of round-robin-proxy.mjs for its test (apps/web/test/server/round-robin-proxy.test.ts).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function createRoundRobinProxy(options: {
  backends: Array<{ name: string; host: string; port: number }>;
  log?: (line: string) => void;
  healthPath?: string;
  healthEveryMs?: number;
}): {
  server: Server;
  backends: Array<{ name: string; host: string; port: number; ready: boolean; inFlight: number }>;
  listen(port: number, host: string): Promise<AddressInfo | string | null>;
  close(): Promise<void>;
};
