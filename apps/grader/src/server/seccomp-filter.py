"""The grader sandbox's syscall filter, compiled to a BPF program with libseccomp.

Run once at grader start-up by seccomp.ts, as `python3 -I -S seccomp-filter.py OUT`: writes
the program to OUT (bwrap loads it with `--seccomp FD`) and prints one JSON line describing
it. Needs Debian's python3-seccomp (module `seccomp`); exits 3 when it is missing.

A deny-list: everything is allowed but the calls below, which fail with EPERM (clone3 with
ENOSYS, so that glibc falls back to clone, whose flags the filter can see). Only the native
ABI is allowed: a call through another one (i386's int 0x80, x32) kills the process, since
its numbers would miss every rule. Keep it in step with README.md ("The syscall filter") and
docs/decisions/0012-seccomp-deny-list.md.
"""

import errno
import json
import sys

try:
    import seccomp
except ImportError:
    sys.stderr.write("python3-seccomp is not installed (module seccomp)\n")
    sys.exit(3)

# EPERM for each of these, whatever the arguments
DENIED = [
    # io_uring: a second way to do I/O that bypasses this filter, and a steady source of
    # kernel bugs
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # kernel attack surface no program needs
    "bpf",
    "userfaultfd",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    # other processes' memory
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "pidfd_getfd",
    # mounts, old and new API
    "mount",
    "umount2",
    "pivot_root",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    # namespaces (clone's namespace flags below)
    "unshare",
    "setns",
    # the machine's
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "lookup_dcookie",
    "open_by_handle_at",
    "name_to_handle_at",
    "iopl",
    "ioperm",
    "vhangup",
    "quotactl",
    "quotactl_fd",
    "nfsservctl",
]

# clone with any of these flags fails with EPERM (threads and fork carry none of them)
CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}

# ENOSYS: its flags are in a struct the filter cannot read; glibc then uses clone
ENOSYS_CALLS = ["clone3"]


def build() -> "seccomp.SyscallFilter":
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    # a foreign ABI (i386 via int 0x80, x32) would reach the same calls under other numbers
    f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    # a binary tree of the syscall numbers: a few comparisons per allowed call, not ~60
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
    eperm = seccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        f.add_rule(eperm, name)
    for flag in CLONE_NAMESPACE_FLAGS.values():
        f.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    for name in ENOSYS_CALLS:
        f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
    # personality: only PER_LINUX (0) and the query (0xffffffff) pass. The kernel reads the
    # low 32 bits; they are neither all 0 nor all 1 exactly when some bit i is 1 and the
    # next one (cyclically) is 0: one masked comparison per i (libseccomp allows a single
    # comparison per argument in a rule; rules are or-ed).
    for i in range(32):
        j = (i + 1) % 32
        f.add_rule(
            eperm,
            "personality",
            seccomp.Arg(0, seccomp.MASKED_EQ, (1 << i) | (1 << j), 1 << i),
        )
    return f


def main() -> None:
    out = sys.argv[1]
    f = build()
    with open(out, "wb") as handle:
        f.export_bpf(handle)
    print(
        json.dumps(
            {
                "arch": seccomp.system_arch(),
                "api": seccomp.get_api(),
                "denied": DENIED + ENOSYS_CALLS,
                "cloneFlags": sorted(CLONE_NAMESPACE_FLAGS),
            }
        )
    )


if __name__ == "__main__":
    main()
