import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  parseTrustedProxies,
  SOCKET_ADDRESS_HEADER,
} from '../../src/server/auth/client-address';

const none = parseTrustedProxies([]);
const proxy = parseTrustedProxies(['10.0.0.1']);
const headers = (entries: Record<string, string>) => new Headers(entries);

describe('the client address under the app’s own server (socket address header)', () => {
  it('is the socket’s address, whatever X-Forwarded-For the client sent', () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: '203.0.113.5', 'x-forwarded-for': '1.2.3.4' });
    expect(clientAddress(h, none, true)).toBe('203.0.113.5');
    expect(
      clientAddress(headers({ [SOCKET_ADDRESS_HEADER]: '::ffff:127.0.0.2' }), none, true),
    ).toBe('127.0.0.2');
  });

  it('behind a trusted proxy on the socket, is the proxy’s client from X-Forwarded-For', () => {
    const h = headers({
      [SOCKET_ADDRESS_HEADER]: '10.0.0.1',
      'x-forwarded-for': '6.6.6.6, 198.51.100.7',
    });
    expect(clientAddress(h, proxy, true)).toBe('198.51.100.7');
  });

  it('is unknown without the app’s server: a client-sent socket header is not believed', () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: '203.0.113.5', 'x-forwarded-for': '1.2.3.4' });
    expect(clientAddress(h, none, false)).toBeNull();
    expect(
      clientAddress(headers({ [SOCKET_ADDRESS_HEADER]: 'not an address' }), none, true),
    ).toBeNull();
  });
});
