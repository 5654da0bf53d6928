/*
 * sandbox.c -- a worker confines itself once its setup is done: no new
 * privileges; Landlock limits the file system to the served root (and
 * the log file's folder); seccomp limits the system calls to the ones a
 * worker makes while serving, and kills the process on any other, so
 * the master sees SIGSYS and forks a replacement.
 *
 * The master calls sandbox_init() once to learn, and log once, what
 * the kernel cannot do; workers then stay quiet about it.  Libraries
 * that load files on first use (the time zone, OpenSSL's configuration)
 * are made to load them before the file system closes: in the master,
 * so workers inherit them, and again (a no-op then) in each worker.
 *
 * Under AddressSanitizer the exit-time leak check needs calls a worker
 * never makes (ptrace, clone, /proc): the list is widened for it and
 * /proc stays readable.  Valgrind runs the guest's system calls itself and
 * cannot apply a guest's filter faithfully: under it there is neither
 * Landlock nor seccomp.  The status text says which applies.
 *
 * Owns no policy about clients; never opens anything after applying.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SANDBOX_VALGRIND_H	1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

#include "sandbox.h"
#include "xio.h"

/*
 * Landlock beyond what the system's <linux/landlock.h> may know: the
 * values are the kernel's ABI and never change.
 */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif
#define SB_FS_EXECUTE		(1ULL << 0)
#define SB_FS_WRITE_FILE	(1ULL << 1)
#define SB_FS_READ_FILE		(1ULL << 2)
#define SB_FS_READ_DIR		(1ULL << 3)
#define SB_FS_REMOVE_DIR	(1ULL << 4)
#define SB_FS_REMOVE_FILE	(1ULL << 5)
#define SB_FS_MAKE_DIR		(1ULL << 7)
#define SB_FS_MAKE_REG		(1ULL << 8)
#define SB_FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define SB_FS_REFER		(1ULL << 13)		/* ABI 2 */
#define SB_FS_TRUNCATE		(1ULL << 14)		/* ABI 3 */
#define SB_FS_IOCTL_DEV		(1ULL << 15)		/* ABI 5 */
#define SB_NET_BIND_TCP		(1ULL << 0)		/* ABI 4 */
#define SB_NET_CONNECT_TCP	(1ULL << 1)
#define SB_SCOPE_ABSTRACT_UNIX	(1ULL << 0)		/* ABI 6 */
#define SB_SCOPE_SIGNAL		(1ULL << 1)

#define SANDBOX_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* struct landlock_ruleset_attr as of ABI 6; older kernels read less. */
struct sandbox_ll_attr {
	uint64_t	 fs;
	uint64_t	 net;
	uint64_t	 scoped;
};

enum sandbox_tool {
	SANDBOX_TOOL_NONE,
	SANDBOX_TOOL_ASAN,
	SANDBOX_TOOL_VALGRIND,
};

static enum sandbox_tool sandbox_tool(void);
static int	sandbox_ll_abi(void);
static void	sandbox_plan(const struct sandbox_conf *,
		    struct sandbox_status *);
static uint64_t	sandbox_ll_handled(int);
static uint64_t	sandbox_ll_root(int, int);
static int	sandbox_ll_rule(int, int, uint64_t);
static int	sandbox_ll_rule_path(int, const char *, uint64_t, int);
static int	sandbox_ll_log(int, const char *);
static int	sandbox_landlock(const struct sandbox_conf *, int);
static void	sandbox_prime(void);
static int	sandbox_sc_plain(scmp_filter_ctx, const int *, size_t);
static int	sandbox_sc_args(scmp_filter_ctx, const struct sandbox_conf *,
		    int);
static int	sandbox_seccomp(const struct sandbox_conf *, int);

/*
 * What a worker does while it serves, and why (see the report of
 * strace -f on a worker under the integration tests).  Landlock, not
 * this list, decides which files the file calls may reach.
 */
static const int sandbox_calls[] = {
	/* connections: accept, frames in and out, a gentle close */
	SCMP_SYS(accept4),
	SCMP_SYS(recvfrom),		/* recv() */
	SCMP_SYS(sendto),		/* send(); syslog lines */
	SCMP_SYS(sendmsg),		/* frame header + body together */
	SCMP_SYS(shutdown),		/* FIN before the drain */
	SCMP_SYS(setsockopt),		/* TCP_NODELAY */
	SCMP_SYS(getsockopt),
	SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	SCMP_SYS(poll),			/* every wait with a deadline */
	SCMP_SYS(ppoll),		/* poll() where there is no poll */
	/* bytes of files and sockets */
	SCMP_SYS(read),
	SCMP_SYS(write),		/* files, log lines, self-pipe */
	SCMP_SYS(writev),
	SCMP_SYS(pread64),		/* digests, resumed GETs */
	SCMP_SYS(lseek),
	SCMP_SYS(sendfile),		/* zero-copy GET */
	SCMP_SYS(splice),		/* zero-copy PUT, with pipe2 */
	SCMP_SYS(pipe2),
	/* files and folders beneath the root */
	SCMP_SYS(openat),
	SCMP_SYS(openat2),		/* RESOLVE_BENEATH lookups */
	SCMP_SYS(close),
	SCMP_SYS(dup),			/* fdopendir() of a kept fd */
	SCMP_SYS(fcntl),		/* CLOEXEC, O_NONBLOCK, pipe size */
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),		/* fstat(), fstatat() */
	SCMP_SYS(fstatat64),
	SCMP_SYS(statx),
	SCMP_SYS(getdents64),		/* LIST, the partial sweep */
	SCMP_SYS(statfs),		/* the free-space check */
	SCMP_SYS(fstatfs),
	SCMP_SYS(renameat),		/* RENAME; renameat2(.., 0) */
	SCMP_SYS(renameat2),		/* RENAME_NOREPLACE commits */
	SCMP_SYS(linkat),		/* NOCLOBBER without renameat2 */
	SCMP_SYS(unlinkat),		/* DELETE, stale partials */
	SCMP_SYS(mkdirat),
	SCMP_SYS(readlinkat),		/* why a symbolic link is refused */
	SCMP_SYS(flock),		/* one writer per partial */
	SCMP_SYS(ftruncate),
	SCMP_SYS(fsync),
	SCMP_SYS(fdatasync),
	SCMP_SYS(fgetxattr),		/* a partial's announced size */
	SCMP_SYS(fsetxattr),
	SCMP_SYS(fremovexattr),
	SCMP_SYS(fchmod),		/* a replaced file keeps its mode */
	SCMP_SYS(utimensat),		/* UTIME, futimens() */
	/* memory: malloc, mapped file bodies */
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	/* time, signals, the process itself */
	SCMP_SYS(clock_gettime),	/* when the vDSO cannot */
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	SCMP_SYS(clock_nanosleep),	/* usleep() after EMFILE */
	SCMP_SYS(nanosleep),
	SCMP_SYS(alarm),		/* the idle sweep's wake-up */
	SCMP_SYS(setitimer),		/* alarm() where there is no alarm */
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(restart_syscall),	/* a wait resumed after SIGCONT */
	SCMP_SYS(getpid),		/* log lines, abort() */
	SCMP_SYS(gettid),		/* abort() */
	SCMP_SYS(futex),		/* libcrypto's locks */
	SCMP_SYS(getrandom),		/* arc4random(), libcrypto */
	SCMP_SYS(sysinfo),		/* glibc's qsort of a big LIST asks the
					   memory size (_SC_PHYS_PAGES) */
	SCMP_SYS(exit_group),
	SCMP_SYS(exit),
};

/*
 * What AddressSanitizer's runtime adds (found with SCMP_ACT_LOG): the
 * leak check at exit stops the process from a cloned tracer (clone,
 * ptrace, wait4, getppid, prctl, sigaltstack, sched_yield) that lists
 * /proc/self/task with getdents; a report reads /proc/self/maps and
 * the binary (open, readlink) and asks whether stderr is a tty (ioctl).
 */
static const int sandbox_calls_asan[] = {
	SCMP_SYS(clone),
	SCMP_SYS(ptrace),
	SCMP_SYS(wait4),
	SCMP_SYS(getppid),
	SCMP_SYS(prctl),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(sched_yield),
	SCMP_SYS(getdents),
	SCMP_SYS(open),
	SCMP_SYS(readlink),
};

static enum sandbox_tool
sandbox_tool(void)
{
#ifdef SANDBOX_ASAN
	return SANDBOX_TOOL_ASAN;
#else
#ifdef SANDBOX_VALGRIND_H
	if (RUNNING_ON_VALGRIND) {
		return SANDBOX_TOOL_VALGRIND;
	}
#endif
	{
		/* valgrind preloads its own libraries into the guest */
		const char	*pre = getenv("LD_PRELOAD");

		if (pre != NULL && strstr(pre, "vgpreload") != NULL) {
			return SANDBOX_TOOL_VALGRIND;
		}
	}
	return SANDBOX_TOOL_NONE;
#endif
}

/* The kernel's Landlock ABI, or 0 when it has none (or it is off). */
static int
sandbox_ll_abi(void)
{
	long	 abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

/*
 * Which parts apply (to conf, or by default when NULL), and the text
 * that says so; changes nothing.
 */
static void
sandbox_plan(const struct sandbox_conf *conf, struct sandbox_status *st)
{
	int			 abi_max = conf != NULL ? conf->abi_max : 0;
	enum sandbox_tool	 tool = sandbox_tool();
	const char		*ll, *sc;
	char			 llbuf[48];

	memset(st, 0, sizeof(*st));
	if (tool == SANDBOX_TOOL_VALGRIND) {
		(void)strlcpy(st->text, "landlock off, seccomp off (valgrind "
		    "cannot run them)", sizeof(st->text));
		return;
	}
	st->abi = sandbox_ll_abi();
	st->landlock = st->abi;
	if (abi_max > 0 && st->landlock > abi_max) {
		st->landlock = abi_max;
	}
	if (st->abi == 0) {
		ll = "landlock off (not in this kernel)";
	} else if (st->landlock < 2) {
		/* ABI 1 refuses every rename across folders (EXDEV) */
		ll = "landlock off (abi 1: no rename across folders)";
		st->landlock = 0;
	} else {
		(void)snprintf(llbuf, sizeof(llbuf), "landlock abi %d%s",
		    st->landlock,
		    tool == SANDBOX_TOOL_ASAN ? " + read /proc" : "");
		ll = llbuf;
	}
	/* EFAULT: filters are supported, the NULL program is refused */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) != -1 ||
	    errno != EFAULT) {
		sc = "seccomp off (not in this kernel)";
	} else if (conf != NULL && conf->landlock_only) {
		sc = "seccomp off (landlock only)";
	} else if (tool == SANDBOX_TOOL_ASAN) {
		st->seccomp = SANDBOX_SECCOMP_WIDE;
		sc = "seccomp wide (asan)";
	} else {
		st->seccomp = SANDBOX_SECCOMP_ON;
		sc = "seccomp on";
	}
	(void)snprintf(st->text, sizeof(st->text), "%s, %s", ll, sc);
}

int
sandbox_init(struct sandbox_status *st)
{
	sandbox_prime();
	sandbox_plan(NULL, st);
	return st->landlock >= 2 && st->seccomp == SANDBOX_SECCOMP_ON &&
	    sandbox_tool() == SANDBOX_TOOL_NONE ? 0 : 1;
}

/* Every file-system right this ABI knows: all of them are handled. */
static uint64_t
sandbox_ll_handled(int abi)
{
	uint64_t	 fs = SB_FS_ABI1;

	if (abi >= 2) {
		fs |= SB_FS_REFER;
	}
	if (abi >= 3) {
		fs |= SB_FS_TRUNCATE;
	}
	if (abi >= 5) {
		fs |= SB_FS_IOCTL_DEV;
	}
	return fs;
}

/*
 * What the worker may do beneath the root: read, and unless read-only,
 * write, create and remove files and folders, rename and link across
 * folders (REFER), truncate.  Never execute, make a symbolic link, a
 * device, a socket or a fifo, or ioctl a device.
 */
static uint64_t
sandbox_ll_root(int abi, int read_only)
{
	uint64_t	 r = SB_FS_READ_FILE | SB_FS_READ_DIR;

	if (read_only) {
		return r;
	}
	r |= SB_FS_WRITE_FILE | SB_FS_REMOVE_DIR | SB_FS_REMOVE_FILE |
	    SB_FS_MAKE_DIR | SB_FS_MAKE_REG;
	/* REFER and TRUNCATE where this ABI knows them */
	return r | (sandbox_ll_handled(abi) & (SB_FS_REFER | SB_FS_TRUNCATE));
}

/* Allow rights beneath the folder (or on the file) fd.  0 or -1. */
static int
sandbox_ll_rule(int ruleset, int fd, uint64_t rights)
{
	struct landlock_path_beneath_attr	 pb;

	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = rights;
	pb.parent_fd = fd;
	return syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1 ? -1 : 0;
}

/*
 * The same for a path; with dir set, for the folder that holds it.  A
 * path that is gone is not an error: the worker just cannot reach it.
 */
static int
sandbox_ll_rule_path(int ruleset, const char *path, uint64_t rights,
    int dir)
{
	char		 buf[PATH_MAX];
	const char	*p = path;
	int		 fd, r, saved;

	if (dir) {
		if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		p = dirname(buf);
	}
	if ((fd = open(p, O_PATH | O_CLOEXEC)) == -1) {
		return errno == ENOENT ? 0 : -1;
	}
	r = sandbox_ll_rule(ruleset, fd, rights);
	saved = errno;
	(void)close(fd);
	errno = saved;
	return r;
}

/*
 * The log file is reopened after rotation: its folder may have the file
 * made again and written, never read.  Not "/", for a log there: that
 * one file is written, and after rotation the old one still is.
 */
static int
sandbox_ll_log(int ruleset, const char *path)
{
	if (strchr(path + 1, '/') == NULL) {
		return sandbox_ll_rule_path(ruleset, path, SB_FS_WRITE_FILE,
		    0);
	}
	return sandbox_ll_rule_path(ruleset, path, SB_FS_WRITE_FILE |
	    SB_FS_MAKE_REG, 1);
}

/* Confine the file system (and TCP, signals) at this ABI.  0 or -1. */
static int
sandbox_landlock(const struct sandbox_conf *conf, int abi)
{
	struct sandbox_ll_attr	 attr;
	size_t			 len;
	int			 rs;

	memset(&attr, 0, sizeof(attr));
	attr.fs = sandbox_ll_handled(abi);
	len = sizeof(attr.fs);
	if (abi >= 4) {
		/* no rule: no TCP bind or connect at all */
		attr.net = SB_NET_BIND_TCP | SB_NET_CONNECT_TCP;
		len = offsetof(struct sandbox_ll_attr, scoped);
	}
	if (abi >= 6) {
		/* no signal to the master or a sibling, no abstract sockets */
		attr.scoped = SB_SCOPE_ABSTRACT_UNIX | SB_SCOPE_SIGNAL;
		len = sizeof(attr);
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, len, 0);
	if (rs == -1) {
		return -1;
	}
	if (sandbox_ll_rule(rs, conf->root_fd,
	    sandbox_ll_root(abi, conf->read_only)) == -1) {
		goto out_close;
	}
	if (conf->log_file != NULL &&
	    sandbox_ll_log(rs, conf->log_file) == -1) {
		goto out_close;
	}
	/* LeakSanitizer reads /proc/self/maps and /proc/self/task */
	if (sandbox_tool() == SANDBOX_TOOL_ASAN && sandbox_ll_rule_path(rs,
	    "/proc", SB_FS_READ_FILE | SB_FS_READ_DIR, 0) == -1) {
		goto out_close;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		goto out_close;
	}
	(void)close(rs);
	return 0;
out_close:
	return xio_close_failed(rs);
}

/*
 * Load now what libraries would otherwise read from outside the root
 * on first use: the time zone (log time stamps) and OpenSSL's
 * configuration, with any provider it names (SUM).  The digest itself
 * is fetched on first use, from memory.
 */
static void
sandbox_prime(void)
{
	struct tm	 tm;
	time_t		 now;

	tzset();
	now = time(NULL);
	(void)localtime_r(&now, &tm);
	(void)OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
}

/* Allow each call of the table, unconditionally.  0 or -errno. */
static int
sandbox_sc_plain(scmp_filter_ctx ctx, const int *v, size_t n)
{
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++) {
		/* a call this architecture lacks is ignored by libseccomp */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, v[i], 0);
		if (r < 0) {
			return r;
		}
	}
	return 0;
}

/*
 * Calls allowed only with some arguments.  Memory is never mapped
 * executable (nothing is loaded after start); signals go only to the
 * worker itself (abort()); a socket only for syslog, which reconnects
 * to /dev/log after a failed send and on SIGUSR1.  wide: ASan's reports
 * ask whether stderr is a terminal.  0 or -errno.
 */
static int
sandbox_sc_args(scmp_filter_ctx ctx, const struct sandbox_conf *conf,
    int wide)
{
	scmp_datum_t	 self = (scmp_datum_t)getpid();
	int		 r;

	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2_32(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap2), 1,
		    SCMP_A2_32(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	}
	if (r == 0) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect),
		    1, SCMP_A2_32(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	}
	if (r == 0) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
		    SCMP_A0_32(SCMP_CMP_EQ, self, 0));
	}
	if (r == 0 && conf->syslog) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		    SCMP_A0_32(SCMP_CMP_EQ, AF_UNIX, 0));
	}
	if (r == 0 && conf->syslog) {
		/* only AF_UNIX sockets are made; Landlock refuses TCP */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect),
		    0);
	}
	if (r == 0 && wide) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1_32(SCMP_CMP_EQ, TCGETS, 0));
	}
	return r;
}

/* Load the filter: allowed calls pass, any other kills.  0 or -1. */
static int
sandbox_seccomp(const struct sandbox_conf *conf, int wide)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 kill;
	int		 r;

	/* older kernels kill the thread only: the worker has one */
	kill = seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL;
	if ((ctx = seccomp_init(kill)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, kill);
	if (r == 0) {
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
		/* a binary tree: about log2(n) tests per call, not n */
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
#endif
		r = sandbox_sc_plain(ctx, sandbox_calls,
		    SANDBOX_NELEM(sandbox_calls));
	}
	if (r == 0 && wide) {
		r = sandbox_sc_plain(ctx, sandbox_calls_asan,
		    SANDBOX_NELEM(sandbox_calls_asan));
	}
	if (r == 0) {
		r = sandbox_sc_args(ctx, conf, wide);
	}
	if (r == 0) {
		r = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

int
sandbox_apply(const struct sandbox_conf *conf, struct sandbox_status *st)
{
	char	 why[sizeof(st->text)];

	sandbox_plan(conf, st);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		(void)strlcpy(why, "no_new_privs", sizeof(why));
		goto out_fail;
	}
	sandbox_prime();
	if (st->landlock >= 2 && sandbox_landlock(conf, st->landlock) == -1) {
		(void)snprintf(why, sizeof(why), "landlock abi %d",
		    st->landlock);
		goto out_fail;
	}
	if (st->seccomp != SANDBOX_SECCOMP_OFF && sandbox_seccomp(conf,
	    st->seccomp == SANDBOX_SECCOMP_WIDE) == -1) {
		(void)strlcpy(why, "seccomp", sizeof(why));
		goto out_fail;
	}
	return 0;
out_fail:
	(void)strlcpy(st->text, why, sizeof(st->text));
	return -1;
}

const char *
sandbox_root_warning(uid_t euid, const char *user)
{
	if (euid != 0) {
		return NULL;
	}
	if (user == NULL) {
		return "running as root without -u: the workers serve with "
		    "root's rights";
	}
	return "-u names root: the workers serve with root's rights";
}

mode_t
sandbox_umask(void)
{
	return umask(022);
}
