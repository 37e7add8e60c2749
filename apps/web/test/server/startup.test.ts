import { createUser, type Db, DEMO_ACCOUNTS, setPassword } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHost, startupRefusal } from '../../src/server/startup';
import { createTestDb } from './helpers';

// issue 11, finding 5: the web refuses to serve public demo passwords beyond loopback or in
// production (instrumentation.ts calls this before any request)
describe('startup refusal with demo passwords', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    for (const acc of DEMO_ACCOUNTS) await createUser(db, { ...acc, emailVerified: true });
  });
  afterAll(async () => cleanup?.());

  const next = ['node', 'next', 'start', '-p', '3000'];

  it('listens where -H says, else HOST, else every interface (Next default)', () => {
    expect(listenHost([...next, '-H', '127.0.0.1'], '0.0.0.0')).toBe('127.0.0.1');
    expect(listenHost([...next, '--hostname=::1'], undefined)).toBe('::1');
    expect(listenHost(next, 'localhost')).toBe('localhost');
    expect(listenHost(next, undefined)).toBe('0.0.0.0');
  });

  it('loopback in development, or under scripts/start.mjs for the embedded default: starts', async () => {
    for (const host of ['127.0.0.1', '127.5.0.1', '::1', 'localhost']) {
      expect(await startupRefusal(db, { argv: next, host, nodeEnv: 'development' })).toBeNull();
      // `next start` forces NODE_ENV=production; start.mjs says it is the embedded default
      expect(
        await startupRefusal(db, { argv: next, host, nodeEnv: 'production', embedded: true }),
      ).toBeNull();
    }
  });

  it('beyond loopback, or `next start` with no host, or production: refuses, naming the accounts and the fix', async () => {
    for (const where of [
      { argv: next, host: '0.0.0.0', nodeEnv: 'development' },
      { argv: next, host: undefined, nodeEnv: 'development' },
      { argv: [...next, '-H', '192.168.1.5'], host: '127.0.0.1', nodeEnv: 'development' },
      { argv: next, host: '127.0.0.1', nodeEnv: 'production' },
      { argv: next, host: '0.0.0.0', nodeEnv: 'production', embedded: true },
    ]) {
      const line = await startupRefusal(db, where);
      expect(line).toMatch(/^refusing to start/);
      expect(line).toContain('admin@lms.local');
      expect(line).toContain('lms-db demo-accounts --disable');
      expect(line?.split('\n')).toHaveLength(1);
    }
  });

  it('once every demo password is changed: starts anywhere', async () => {
    for (const acc of DEMO_ACCOUNTS) {
      const u = await db.user.findUniqueOrThrow({ where: { email: acc.email } });
      await setPassword(db, u.id, `${acc.password}-changed`);
    }
    expect(
      await startupRefusal(db, { argv: next, host: '0.0.0.0', nodeEnv: 'production' }),
    ).toBeNull();
  });
});
