import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

/**
 * A slot's runs share the launcher's empty network namespace, one after the other. Nothing
 * may pass from one run to the next through it, and nothing in it may work: one slot here, so
 * every run is on the same one.
 */
const ALWAYS = 'from lms_checks import test\n@test("ran")\ndef ran(run):\n    pass\n';
const LIMITS = { wallSeconds: 3, cpuSeconds: 2, memoryMb: 128 };

describeSandbox("a slot's network namespace", () => {
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
print("SELF", socket.create_connection(s.getsockname(), timeout=1).recv(5))
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

  it('keeps no socket from one run to the next (abstract unix sockets included)', async () => {
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
  });
});
