import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

/**
 * What one run could leave to the next on its slot (its launcher, its FIFOs, its uid): nothing
 * may pass. One slot here, so every run is on the same one.
 */
const ALWAYS = 'from lms_checks import test\n@test("ran")\ndef ran(run):\n    pass\n';
const LIMITS = { wallSeconds: 3, cpuSeconds: 2, memoryMb: 128 };

describeSandbox('one run after another on a slot', () => {
  let service: GradeService;
  const run = async (code: string) =>
    (
      await service.grade(
        request({ code, checks: { public: ALWAYS, hidden: null }, limits: LIMITS }),
      )
    ).stdout;

  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '62820', GRADER_MAX_RUNS: '1' });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('has only a loopback: a program reaches itself, nothing else, and cannot change it', async () => {
    const out = await run(`import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
def serve():
    c, _ = s.accept(); c.sendall(b"hello"); c.close()
threading.Thread(target=serve, daemon=True).start()
print("SELF", socket.create_connection(s.getsockname(), timeout=10).recv(5))
print("IFACES", [l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:]])
try:
    socket.create_connection(("10.0.2.2", 80), timeout=1); print("OUTSIDE")
except OSError as e:
    print("no route", e.errno)
try:
    import fcntl, struct
    fcntl.ioctl(s.fileno(), 0x8914, struct.pack("16sH", b"lo", 0))  # SIOCSIFFLAGS: lo down
    print("LO DOWN")
except OSError as e:
    print("no ifconfig", e.errno)
`);
    expect(out).toContain("SELF b'hello'");
    expect(out).toContain("IFACES ['lo']");
    expect(out).toMatch(/no route 101/); // ENETUNREACH
    expect(out).toMatch(/no ifconfig 1\b/); // EPERM
  });

  it('keeps no socket from one run to the next (abstract unix sockets, TIME_WAIT)', async () => {
    const first = await run(`import os, socket, time
s = socket.socket(socket.AF_UNIX)
s.bind("\\0lms-net-leak")
s.listen()
if os.fork() == 0:
    os.setsid()
    time.sleep(60)
print("LISTENING")
`);
    expect(first).toContain('LISTENING');
    const second = await run(`import socket
c = socket.socket(socket.AF_UNIX)
try:
    c.connect("\\0lms-net-leak"); print("CONNECTED")
except OSError as e:
    print("refused", e.errno)
`);
    expect(second).toMatch(/refused 111/); // ECONNREFUSED
    // the server side closes first: its port stays in TIME_WAIT for a minute in that namespace
    const server = `import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 47001)); s.listen()
def client():
    c = socket.create_connection(("127.0.0.1", 47001)); c.recv(1); c.close()
threading.Thread(target=client).start()
conn, _ = s.accept(); conn.close(); s.close()
print("SERVED")
`;
    expect(await run(server)).toContain('SERVED');
    // a program that binds the same fixed port (no SO_REUSEADDR) must not find it busy
    expect(await run(server)).toContain('SERVED');
  });

  it("gives every run its own output pipes (a program's O_NONBLOCK or pipe size stays with it)", async () => {
    const spoiler = await run(`import fcntl, os
os.set_blocking(1, False)
os.set_blocking(2, False)
fcntl.fcntl(1, 1031, 4096)  # F_SETPIPE_SZ
print("SPOILED")
`);
    expect(spoiler).toContain('SPOILED');
    const lines = 1500;
    const out = await run(
      `for i in range(${lines}):\n    print("line %05d of the next program" % i)\n`,
    );
    expect(out.split('\n').filter(Boolean)).toHaveLength(lines);
    expect(out).toContain(`line ${String(lines - 1).padStart(5, '0')} of the next program`);
  });
});
