/* sandbox.c: the agent's optional seccomp filter (libseccomp), "seccomp on" in clockwatch.conf.
 *
 * An allowlist: the system calls the agent makes once it runs (its loop, the store, the HTTP side,
 * the responder's thread, the probes, the resolver's and libcurl's helper threads) plus those a
 * plain alarm_command script needs, since a filter is inherited across fork and execve. Found by
 * running the agent's tests under `strace -f -c` (tests/integration/test_hardening.py runs the
 * agent with the filter through checks, HTTP, the history API, an alarm with alarm_command, the
 * responder, SIGHUP and SIGTERM).
 *
 * Default action: fail with EPERM, not kill. A system call missing from the list then becomes an
 * error the agent already reports (a probe, the store or HTTP says "operation not permitted")
 * instead of a dead agent, and the kernel logs each denial (SECCOMP_FILTER_FLAG_LOG: an audit
 * record "type=1326 ... syscall=N" in dmesg or the journal), which names the missing call.
 *
 * Killed on sight (SCMP_ACT_KILL_PROCESS), whatever the list says: calls the agent never makes
 * and only a compromised one would: the clock setters (settimeofday, clock_settime, adjtimex,
 * clock_adjtime of any clock but CLOCK_REALTIME; the agent has no CAP_SYS_TIME either), ptrace
 * and process_vm_*, module and kexec loading, mounts, reboot, swapon, bpf. clock_adjtime on
 * CLOCK_REALTIME stays allowed: glibc's adjtimex(3) is made of it and probe_kernel.c reads the
 * kernel clock with modes = 0; a filter cannot look inside the struct it points to. execve stays
 * allowed: alarm_command is run by fork and execve. no_new_privs is set (required to install a
 * filter without CAP_SYS_ADMIN), so alarm_command cannot gain privileges through set-user-ID
 * programs. The filter cannot be removed; a reload does not change it. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "macros.h"
#include "sandbox.h"

/* Grouped by purpose, several a line. */
/* clang-format off */
static const char *const allowed[] = {
    /* memory */
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mlock", "munlock",
    /* files: the store (SQLite, WAL), configuration, /proc, chronyd's reply socket */
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "open",
    "openat", "close", "close_range", "creat", "stat", "fstat", "lstat", "newfstatat", "statx",
    "statfs", "fstatfs", "lseek", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
    "getdents", "getdents64", "fsync", "fdatasync", "ftruncate", "truncate", "fallocate",
    "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "chmod",
    "fchmod", "fchmodat", "fchown", "chown", "lchown", "fchownat", "fcntl", "flock", "dup",
    "dup2", "dup3", "pipe", "pipe2", "ioctl", "getcwd", "chdir", "fchdir", "umask", "utimensat",
    "sendfile", "copy_file_range", "fadvise64", "inotify_init1", "inotify_add_watch",
    "inotify_rm_watch",
    /* time: read only */
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
    "alarm", "setitimer", "getitimer", "timer_create", "timer_settime", "timer_delete",
    /* waiting */
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4",
    "timerfd_create", "timerfd_settime", "timerfd_gettime", "futex", "futex_waitv",
    "sched_yield", "restart_syscall",
    /* signals */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
    "rt_sigsuspend", "sigaltstack", "kill", "tgkill", "tkill", "pause",
    /* processes and threads: the responder's thread, the resolver's and libcurl's helpers,
     * alarm_command (fork, execve, reaped on SIGCHLD) */
    "clone", "clone3", "fork", "vfork", "execve", "wait4", "waitid", "exit", "exit_group",
    "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "arch_prctl", "prctl",
    "prlimit64", "getrlimit", "setrlimit", "getrusage", "times", "sysinfo", "uname",
    "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_getscheduler",
    "getpriority", "setpriority", "membarrier", "getrandom", "getpid", "gettid", "getppid",
    "getpgrp", "getpgid", "setpgid", "getsid", "setsid", "getuid", "geteuid", "getgid", "getegid",
    "getgroups", "getresuid", "getresgid", "capget",
    /* network (socket itself is allowed below for AF_UNIX, AF_INET, AF_INET6, AF_NETLINK) */
    "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom", "sendmsg", "recvmsg",
    "sendmmsg", "recvmmsg", "getsockname", "getpeername", "setsockopt", "getsockopt", "shutdown",
    "socketpair",
};

static const char *const denied[] = {
    "settimeofday", "clock_settime", "adjtimex", "ptrace", "process_vm_readv",
    "process_vm_writev", "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "mount", "umount2", "pivot_root", "reboot", "swapon", "swapoff",
    "acct", "bpf", "perf_event_open", "userfaultfd",
};
/* clang-format on */

static const int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

/* "argument 0 op v" (libseccomp's SCMP_A0 leaves datum_b to the compiler's zeroing, which
 * -Wmissing-field-initializers flags). */
static struct scmp_arg_cmp
arg0(enum scmp_compare op, scmp_datum_t v)
{
	struct scmp_arg_cmp c = {.arg = 0, .op = op, .datum_a = v, .datum_b = 0};

	return c;
}

/* Adds one rule for a call by name; a name this architecture lacks is skipped. */
static int
add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_cmp,
    const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	int r = seccomp_rule_add_array(ctx, action, nr, n_cmp, cmp);
	if (r < 0)
		log_errno(LOG_LVL_ERROR, r, "seccomp: rule for %s", name);
	return r;
}

static int
build(scmp_filter_ctx ctx)
{
	const uint32_t deny = SCMP_ACT_KILL_PROCESS;
	int r = 0;

	/* Never made by the agent: an attempt means it was subverted, so the process dies
	 * (SIGSYS, logged by the kernel) rather than being told EPERM. First, because for a
	 * call given twice libseccomp keeps the first rule: a name also put in allowed[] by
	 * mistake stays denied. */
	for (size_t i = 0; r == 0 && i < CW_ARRAY_LEN(denied); i++)
		r = add(ctx, deny, denied[i], 0, NULL);
	/* adjtimex(3) is clock_adjtime(CLOCK_REALTIME, ...): a read when modes = 0 (not
	 * checkable here); on any other clock it kills. */
	struct scmp_arg_cmp rt = arg0(SCMP_CMP_EQ, (scmp_datum_t)CLOCK_REALTIME);
	struct scmp_arg_cmp other = arg0(SCMP_CMP_NE, (scmp_datum_t)CLOCK_REALTIME);
	if (r == 0)
		r = add(ctx, deny, "clock_adjtime", 1, &other);
	if (r == 0)
		r = add(ctx, SCMP_ACT_ALLOW, "clock_adjtime", 1, &rt);
	for (size_t i = 0; r == 0 && i < CW_ARRAY_LEN(families); i++) {
		struct scmp_arg_cmp fam = arg0(SCMP_CMP_EQ, (scmp_datum_t)families[i]);
		r = add(ctx, SCMP_ACT_ALLOW, "socket", 1, &fam);
	}
	for (size_t i = 0; r == 0 && i < CW_ARRAY_LEN(allowed); i++)
		r = add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
	return r;
}

int
sandbox_apply(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx) {
		log_error("seccomp: cannot start a filter");
		return -ENOMEM;
	}
	/* Every thread: the responder's and the helpers are already running. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0)
		r = build(ctx);
	if (r < 0)
		goto out;
	/* The kernel logs what the filter refuses, so a missing call can be named (kernels from
	 * 4.14; without it the filter still works). */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1) < 0)
		log_info("seccomp: the kernel cannot log refused calls");
	r = seccomp_load(ctx);
	if (r < 0) {
		log_errno(LOG_LVL_ERROR, r, "seccomp: cannot load the filter");
		goto out;
	}
	log_notice("seccomp: filter on (%zu calls allowed; others fail with EPERM and are logged "
	           "by the kernel)",
	    CW_ARRAY_LEN(allowed) + 2);
out:
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}
