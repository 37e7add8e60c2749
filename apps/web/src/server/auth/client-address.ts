import { BlockList, isIP } from 'node:net';

/**
 * Which client a request comes from, for the sign-in limits and the session's IP.
 *
 * Next's route handler does not expose the socket address: `next start` only copies it into
 * `X-Forwarded-For` when the client sent none, so a client that sends its own header chooses
 * the value we see. Hence the app's own server (`apps/web/server.mjs`, what `npm start` runs)
 * writes the socket address into `x-lms-socket-address` on every request, and:
 * - under it, that address is the client unless it is a trusted proxy (then as below);
 * - under a bare `next start`, without `TRUSTED_PROXIES` forwarding headers are ignored and every client is `null`
 *   ("unknown"): the limits then share one bucket (a limit a client can step around by
 *   changing a header is no limit);
 * - with `TRUSTED_PROXIES` (the proxies in front of the app, which append the address they
 *   saw to `X-Forwarded-For`) the chain is read from the right, skipping trusted proxies, and
 *   the first other address is the client. The app must then be reachable only through them.
 * IPv6 clients are keyed by their /64 (one host usually owns a whole /64).
 */

/** The header our wrapper sets for better-auth (`advanced.ipAddress.ipAddressHeaders`);
 * a value sent by the client is always removed first. */
export const CLIENT_ADDRESS_HEADER = 'x-lms-client-address';

/** Written by `apps/web/server.mjs` on every request as `<secret> <address>` (a client-sent value never survives it). */
export const SOCKET_ADDRESS_HEADER = 'x-lms-socket-address';

/** The key of every client whose address is unknown (no trusted proxy configured). */
export const UNKNOWN_CLIENT = 'unknown';

export type TrustedProxies = { check(address: string): boolean; size: number };

/** `TRUSTED_PROXIES` entries (IPs or CIDRs) as a matcher; throws on a bad entry. */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 4 ? 32 : 128;
    if (
      !family ||
      rest.length > 0 ||
      (bits !== undefined && !(/^\d+$/.test(prefix ?? '') && bits <= maxBits))
    ) {
      throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const plain = unmapIPv4(address);
    if (bits === undefined) list.addAddress(plain, isIP(plain) === 4 ? 'ipv4' : 'ipv6');
    else list.addSubnet(address, bits, type);
  }
  return {
    size: entries.filter((e) => e.trim()).length,
    check(address: string) {
      const plain = unmapIPv4(address);
      return list.check(plain, isIP(plain) === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * The client's address (IPv4-mapped IPv6 as IPv4), or `null` when it cannot be known safely: no trusted proxies, no `X-Forwarded-For`, a malformed hop, or a
 * chain made only of trusted proxies.
 */
export function clientAddress(
  headers: Headers,
  trusted: TrustedProxies,
  /** the app runs under its own server (`apps/web/server.mjs`), which writes
   * `<this secret> <socket address>` into `x-lms-socket-address` on every request */
  socketSecret?: string,
): string | null {
  if (socketSecret) {
    const [secret, value = ''] = (headers.get(SOCKET_ADDRESS_HEADER) ?? '').split(' ');
    if (secret !== socketSecret) return null;
    const socket = parseHop(value);
    if (!socket) return null;
    // a client straight on the socket; behind a trusted proxy, read on in X-Forwarded-For
    if (!trusted.check(socket)) return socket;
  } else if (trusted.size === 0) return null;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = parseHop(hops[i] ?? '');
    // a hop our own proxy wrote is always an address: anything else is not to be trusted
    if (!address) return null;
    if (trusted.check(address)) continue;
    return address;
  }
  return null;
}

/** An address of a forwarded chain, without a port or brackets; null if not an address. */
function parseHop(hop: string): string | null {
  if (isIP(hop)) return unmapIPv4(hop);
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed?.[1] && isIP(bracketed[1]) === 6) return unmapIPv4(bracketed[1]);
  const v4WithPort = /^([\d.]+):\d+$/.exec(hop);
  if (v4WithPort?.[1] && isIP(v4WithPort[1]) === 4) return v4WithPort[1];
  return null;
}

/** `::ffff:192.0.2.1` → `192.0.2.1`; anything else unchanged. */
function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] && isIP(m[1]) === 4 ? m[1] : address;
}

/** The limiters' key of a client: IPv4 as is, IPv6 as its /64, unknown as one shared key. */
export function clientKeyOf(address: string | null): string {
  if (!address) return UNKNOWN_CLIENT;
  if (isIP(address) === 4) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.padStart(4, '0'))
    .join(':')}::/64`;
}
