/*
 * sandbox.h -- what a worker may still do once it serves: the file
 * system beneath the root (Landlock) and a fixed list of system calls
 * (seccomp); and the two start-up rules on identity and file modes.
 * Never decides whether a client may connect or sign in.
 */

#ifndef SERVER_SANDBOX_H
#define SERVER_SANDBOX_H

#include <sys/types.h>

#include <stddef.h>

/* What a worker's sandbox covers. */
struct sandbox_conf {
	int		 root_fd;	/* the served folder (O_PATH ok) */
	int		 read_only;	/* --read-only: only read the root */
	const char	*log_file;	/* --log-file, absolute; or NULL */
	int		 syslog;	/* lines go to syslog (AF_UNIX) */
	/* for the tests */
	int		 abi_max;	/* Landlock ABI at most; 0 = newest */
	int		 landlock_only;	/* no seccomp filter */
};

/* What it came to, for a log line and for the tests. */
struct sandbox_status {
	int		 abi;		/* the kernel's Landlock ABI, 0 none */
	int		 landlock;	/* the ABI in force, 0 = unconfined */
	int		 seccomp;	/* enum sandbox_seccomp */
	char		 text[96];	/* "landlock abi 7, seccomp on" */
};

enum sandbox_seccomp {
	SANDBOX_SECCOMP_OFF = 0,	/* valgrind, or no kernel support */
	SANDBOX_SECCOMP_ON,
	SANDBOX_SECCOMP_WIDE,		/* + what ASan/LSan need */
};

/*
 * The master, once before the first fork: loads what libraries read on
 * first use (the time zone, OpenSSL's configuration), so that workers
 * inherit it instead of each loading it again, and says what every
 * worker's sandbox will be, applying nothing.  Returns 0 when it is
 * complete, 1 when a part is missing (no Landlock, ABI 1, no seccomp,
 * valgrind, ASan): st->text then says what, to be logged once as a
 * warning.
 */
int		 sandbox_init(struct sandbox_status *st);
/*
 * A worker, after its setup and before its first accept: no new
 * privileges, Landlock, then seccomp.  A missing kernel feature is left
 * out (st says so); anything else that fails returns -1 with errno and
 * st->text saying which step: the worker must then exit, not serve.
 */
int		 sandbox_apply(const struct sandbox_conf *conf,
		    struct sandbox_status *st);
/*
 * The warning to log once at start, after -u took effect, when the
 * server still runs as root (no -u, or -u root), or NULL.  euid and user
 * are geteuid() then and the -u value.
 */
const char	*sandbox_root_warning(uid_t euid, const char *user);
/*
 * Make the files and folders this process creates 0644 and 0755 from
 * the modes 0644 and 0755 (or 0777 for folders) it passes, whatever
 * umask tfsd was started with.  A worker calls it once, before
 * sandbox_apply(); returns the umask it replaced.
 */
mode_t		 sandbox_umask(void);

#endif /* SERVER_SANDBOX_H */
