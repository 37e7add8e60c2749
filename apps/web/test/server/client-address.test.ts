import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  parseTrustedProxies,
  SOCKET_ADDRESS_HEADER,
} from '../../src/server/auth/client-address';

const none = parseTrustedProxies([]);
const SECRET = 's'.repeat(48);
const socket = (address: string) => `${SECRET} ${address}`;
const proxy = parseTrustedProxies(['10.0.0.1']);
const headers = (entries: Record<string, string>) => new Headers(entries);

describe('the client address under the app’s own server (socket address header)', () => {
  it('is the socket’s address, whatever X-Forwarded-For the client sent', () => {
    const h = headers({
      [SOCKET_ADDRESS_HEADER]: socket('203.0.113.5'),
      'x-forwarded-for': '1.2.3.4',
    });
    expect(clientAddress(h, none, SECRET)).toBe('203.0.113.5');
    expect(
      clientAddress(headers({ [SOCKET_ADDRESS_HEADER]: socket('::ffff:127.0.0.2') }), none, SECRET),
    ).toBe('127.0.0.2');
  });

  it('behind a trusted proxy on the socket, is the proxy’s client from X-Forwarded-For', () => {
    const h = headers({
      [SOCKET_ADDRESS_HEADER]: socket('10.0.0.1'),
      'x-forwarded-for': '6.6.6.6, 198.51.100.7',
    });
    expect(clientAddress(h, proxy, SECRET)).toBe('198.51.100.7');
  });

  it('is unknown without the app’s server: a client-sent socket header is not believed', () => {
    const h = headers({
      [SOCKET_ADDRESS_HEADER]: socket('203.0.113.5'),
      'x-forwarded-for': '1.2.3.4',
    });
    expect(clientAddress(h, none)).toBeNull();
    // a value without this process's secret (a bare `next start` sharing the environment)
    const forged = headers({ [SOCKET_ADDRESS_HEADER]: `${'x'.repeat(48)} 203.0.113.5` });
    expect(clientAddress(forged, none, SECRET)).toBeNull();
    expect(
      clientAddress(headers({ [SOCKET_ADDRESS_HEADER]: socket('not an address') }), none, SECRET),
    ).toBeNull();
  });
});
