/*
 * daemon.h -- everything between the command line and the worker pool:
 * the root, the listening socket, the pid file, privileges, detaching
 * from the terminal with an honest start, and -s.
 */

#ifndef SERVER_DAEMON_H
#define SERVER_DAEMON_H

#include <sys/types.h>

#include <stddef.h>

#define DAEMON_BACKLOG	1024

/* Resolve cfg.root in place and open it O_PATH; exits 1 on failure. */
int	daemon_open_root(void);
/*
 * Bind and listen on addr (NULL = "::" dual-stack) and port; exits 1 on
 * failure.  desc gets "ADDR:PORT" with the real port.  Returns the fd.
 */
int	daemon_listen(const char *addr, int port, char *desc,
	    size_t descsz);
/* Create and lock the pid file; exits 1 if a daemon holds it. */
void	daemon_pidfile_open(const char *path);
/* Write our pid into the pid file opened before (no-op without one). */
void	daemon_pidfile_write(void);
/* Become user (after binding); exits 1 on failure. */
void	daemon_drop_privileges(const char *user);
/*
 * Double fork and new session.  Only the daemon returns; the command
 * that started it waits until daemon_ready() (exit 0) or the daemon's
 * death (exit 1).
 */
void	daemon_detach(void);
/*
 * The server serves: print the listening line on stderr and, when
 * detached, let the starting command return and leave the terminal.
 */
void	daemon_ready(const char *line);
/* In a freshly forked worker: drop the master's private descriptors. */
void	daemon_child(void);
/* Remove the pid file (master only; also registered with atexit). */
void	daemon_cleanup(void);
/*
 * The pid of the daemon holding pidfile locked, or -1 after one line on
 * stderr (no pid file, a stale one, no pid in it).
 */
pid_t	daemon_running(const char *pidfile);
/* -s NAME: signal the daemon of the pid file.  Returns the exit status. */
int	daemon_signal(const char *pidfile, const char *name);
/*
 * Send a state line to systemd (sd_notify(3): "READY=1", ...) when it
 * gave us NOTIFY_SOCKET; nothing at all otherwise.
 */
void	daemon_notify(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* The signal number for a -s name, or -1. */
int	daemon_signal_number(const char *name);

#endif /* SERVER_DAEMON_H */
