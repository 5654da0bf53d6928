/*
 * pool.c -- the master process: pre-forked workers that share the
 * listening socket, kept between --min-spare and --max-spare idle ones
 * within --max-workers, reaped and replaced; signals turned into stops,
 * reloads and log reopening.
 *
 * Signal handlers only set a flag and write a byte to a self-pipe; the
 * loop polls that pipe with a timeout for its once-a-second upkeep and
 * does everything else, reaping included, outside any handler.
 *
 * The loop also polls the listening socket, which stays readable while
 * connections wait in its queue and no worker takes them: then the
 * master forks at once what the queue needs (TCP_INFO says how long it
 * is), within --max-workers, and at the cap has the workers whose
 * connections are idle longest close them (the slot's yield and
 * SIGUSR2), so that waiting clients get a worker.  The master never
 * accepts or reads a client byte and never blocks for long: a worker
 * that does not obey is killed.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addrtab.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "pool.h"
#include "scoreboard.h"
#include "space.h"
#include "worker.h"
#include "xio.h"

enum pool_state {
	POOL_RUNNING,
	POOL_GRACEFUL,		/* QUIT: no new connections, drain */
	POOL_STOPPING,		/* TERM/INT: workers told to exit now */
};

/* What the master alone knows about the worker of a slot. */
struct pool_child {
	pid_t		 pid;		/* 0 = free slot */
	uint32_t	 generation;
	int		 up;		/* seen past STARTING */
	int		 retiring;	/* told to finish (SIGHUP) */
	int		 signalled;	/* we sent TERM or KILL */
	int64_t		 term_at;	/* SIGTERM then, 0 = never */
	int64_t		 kill_at;	/* SIGKILL then, 0 = never */
};

/* How a worker ended. */
struct pool_death {
	char		 how[64];	/* "exited with status 1"... */
	int		 up;		/* it got past STARTING */
	int		 abnormal;	/* nobody asked for it */
	int		 fatal_start;	/* it could not start at all */
	int		 replace;	/* a replacement is owed */
};

struct pool {
	struct serve_shared	*shared;
	int			 listen_fd;
	int			 root_fd;
	int			 sig_rd, sig_wr;	/* self-pipe */
	int			 death_rd, death_wr; /* EOF: no master */
	pid_t			 master;
	struct scoreboard	 sb;
	struct pool_child	*child;			/* sb.nslots */
	int			 nlive;
	uint32_t		 generation;
	enum pool_state		 state;
	int			 exit_status;
	int			 ready;
	void			(*ready_cb)(void);
	void			(*reload_cb)(void);
	int			 owed;		/* replacements due */
	int			 rapid;		/* young deaths */
	int			 start_failures; /* never-up deaths */
	int			 at_cap;	/* warned: cap hit */
	int64_t			 hold_until;	/* back-off */
	int64_t			 next_tick;
	int64_t			 stop_kill_at;
	int			 queue_seen;	/* listen_fd was readable */
	int64_t			 queue_quiet;	/* unwatched until then */
	int			*order;		/* sb.nslots: pool_yield's */
};

static void	pool_sighandler(int);
static int	pool_setup(struct pool *, int, int);
static void	pool_signals_install(void);
static void	pool_take_signals(struct pool *);
static int	pool_spawn(struct pool *);
static void	pool_child_main(struct pool *, int)
		    __attribute__((noreturn));
static void	pool_reap(struct pool *);
static void	pool_reaped(struct pool *, int, int);
static void	pool_death(struct pool *, int, int, struct pool_death *);
static void	pool_death_log(struct pool *, int,
		    const struct pool_death *);
static int	pool_backoff(struct pool *,
		    const struct pool_death *, int64_t);
static void	pool_maintain(struct pool *, int64_t);
static int	pool_queued(struct pool *);
static void	pool_queue(struct pool *, int64_t);
static void	pool_yield(struct pool *, int, int64_t);
static int	pool_by_since(const void *, const void *, void *);
static void	pool_check_stalls(struct pool *, int64_t);
static void	pool_deadlines(struct pool *, int64_t);
static void	pool_retire(struct pool *, int, int64_t);
static void	pool_retire_idle(struct pool *, int, int64_t);
static void	pool_stop_now(struct pool *);
static void	pool_stop_graceful(struct pool *);
static void	pool_reload(struct pool *);
static void	pool_broadcast(struct pool *, int);
static void	pool_fail(struct pool *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	pool_timeout(struct pool *, int64_t);
static void	pool_respawn(struct pool *, int64_t);
static void	pool_close_listener(struct pool *);
static void	pool_wait(struct pool *);
static void	pool_check_ready(struct pool *);
static void	pool_upkeep(struct pool *, int64_t);
static void	pool_stop_kill(struct pool *, int64_t);
static void	pool_teardown(struct pool *);

/* The signals the master handles, reset to default in every worker. */
static const int pool_sigs[] = {
	SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGCHLD,
};
#define POOL_NSIGS	(int)(sizeof(pool_sigs) / sizeof(pool_sigs[0]))

static volatile sig_atomic_t	 pool_got[NSIG];
static volatile sig_atomic_t	 pool_wakefd = -1;

/* Async-signal-safe: note the signal, wake the loop. */
static void
pool_sighandler(int sig)
{
	int	 saved = errno;
	char	 c = (char)sig;

	pool_got[sig] = 1;
	if (pool_wakefd != -1 && write(pool_wakefd, &c, 1) == -1) {
		/* the pipe is full: the loop is awake already */
	}
	errno = saved;
}

static void
pool_signals_install(void)
{
	struct sigaction	 sa;
	int			 i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = pool_sighandler;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < POOL_NSIGS; i++) {
		if (sigaction(pool_sigs[i], &sa, NULL) == -1) {
			fatal("sigaction");
		}
	}
	/* a worker's socket is its own business; the master has none */
	signal(SIGPIPE, SIG_IGN);
}

static int
pool_setup(struct pool *p, int listen_fd, int root_fd)
{
	int	 fds[2];

	memset(p, 0, sizeof(*p));
	p->listen_fd = listen_fd;
	p->root_fd = root_fd;
	p->master = getpid();
	p->generation = 1;
	p->state = POOL_RUNNING;
	if (sb_init(&p->sb, cfg.max_workers) == -1) {
		log_warn("scoreboard");
		return -1;
	}
	if ((p->child = calloc((size_t)cfg.max_workers,
	    sizeof(*p->child))) == NULL ||
	    (p->order = calloc((size_t)cfg.max_workers,
	    sizeof(*p->order))) == NULL) {
		log_warn("worker table");
		goto out_child;
	}
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("pipe");
		goto out_child;
	}
	p->sig_rd = fds[0];
	p->sig_wr = fds[1];
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("pipe");
		goto out_sigpipe;
	}
	p->death_rd = fds[0];
	p->death_wr = fds[1];
	pool_wakefd = p->sig_wr;
	pool_signals_install();
	return 0;
out_sigpipe:
	close(p->sig_rd);
	close(p->sig_wr);
out_child:
	free(p->order);
	free(p->child);
	sb_free(&p->sb);
	return -1;
}

/*
 * A worker that cannot start, or workers that keep dying young: stop
 * the server (exit 1) rather than fork in a loop.  Before the server is
 * ready the terminal hears it too.
 */
static void
pool_fail(struct pool *p, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s; stopping", msg);
	if (!p->ready && (cfg.daemonized || cfg.logfile != NULL)) {
		fprintf(stderr, "tfsd: %s; stopping\n", msg);
	}
	p->exit_status = 1;
	pool_stop_now(p);
}

/*
 * Fork a worker of the current generation into a free slot.  The slot
 * says STARTING before the fork so the worker's own updates are never
 * overwritten.  0, or -1 when no slot is free or fork fails.
 */
static int
pool_spawn(struct pool *p)
{
	struct sb_slot	*slot;
	sigset_t	 all, old;
	pid_t		 pid;
	int		 i;

	for (i = 0; i < p->sb.nslots; i++) {
		if (p->child[i].pid == 0) {
			break;
		}
	}
	if (i == p->sb.nslots) {
		return -1;
	}
	slot = sb_slot(&p->sb, i);
	sb_slot_clear(slot);
	slot->generation = p->generation;
	slot->last_progress = xio_now_ms();
	slot->state = SB_STARTING;
	/* no master handler may run in the child before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		pool_child_main(p, i);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		log_warn("fork");
		sb_slot_clear(slot);
		p->hold_until = xio_now_ms() + 1000;
		return -1;
	}
	slot->pid = pid;
	memset(&p->child[i], 0, sizeof(p->child[i]));
	p->child[i].pid = pid;
	p->child[i].generation = p->generation;
	p->nlive++;
	log_debug("worker %d (pid %ld) started, generation %u", i,
	    (long)pid, p->generation);
	return 0;
}

/* In the new child: undo what the master set up, then serve. */
static void
pool_child_main(struct pool *p, int i)
{
	struct worker_args	 wa;
	struct sigaction	 sa;
	sigset_t		 held;
	int			 k;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (k = 0; k < POOL_NSIGS; k++) {
		sigaction(pool_sigs[k], &sa, NULL);
	}
	pool_wakefd = -1;
	close(p->sig_rd);
	close(p->sig_wr);
	close(p->death_wr);
	daemon_child();
	/* no orphans: the kernel tells us when the master dies... */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1) {
		_exit(WORKER_EXIT_FATAL);
	}
	/* ...unless it died already */
	if (getppid() != p->master) {
		_exit(0);
	}
	/*
	 * A stop or reload sent before the worker installs its handlers
	 * must wait for them, not kill it by default: leave those blocked
	 * for worker_main() to unblock.
	 */
	sigemptyset(&held);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	sigaddset(&held, SIGUSR1);
	sigaddset(&held, SIGUSR2);
	sigprocmask(SIG_SETMASK, &held, NULL);

	memset(&wa, 0, sizeof(wa));
	wa.shared = p->shared;
	wa.listen_fd = p->listen_fd;
	wa.root.fd = p->root_fd;
	wa.root.path = cfg.root;
	wa.master_fd = p->death_rd;
	wa.id = i;
	wa.generation = p->generation;
	wa.slot = sb_slot(&p->sb, i);
	wa.slot->pid = getpid();
	worker_main(&wa);
}

/* Collect every dead child, outside any handler, until none is left. */
static void
pool_reap(struct pool *p)
{
	pid_t	 pid;
	int	 status, i;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == -1 && errno == EINTR) {
			continue;
		}
		if (pid <= 0) {
			break;
		}
		for (i = 0; i < p->sb.nslots; i++) {
			if (p->child[i].pid == pid) {
				break;
			}
		}
		if (i < p->sb.nslots) {
			pool_reaped(p, i, status);
		}
	}
}

/* How a worker ended, for its log line and for what follows. */
static void
pool_death(struct pool *p, int i, int status, struct pool_death *d)
{
	struct pool_child	*c = &p->child[i];
	struct sb_slot		*slot = sb_slot(&p->sb, i);

	memset(d, 0, sizeof(*d));
	d->up = c->up || (slot->state != SB_STARTING &&
	    slot->state != SB_EMPTY);
	if (WIFEXITED(status)) {
		snprintf(d->how, sizeof(d->how), "exited with status %d",
		    WEXITSTATUS(status));
		d->abnormal = WEXITSTATUS(status) != 0;
		d->fatal_start = WEXITSTATUS(status) == WORKER_EXIT_FATAL;
	} else if (WIFSIGNALED(status)) {
		/* SIGSYS is the sandbox's: a system call off its list */
		snprintf(d->how, sizeof(d->how), "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WTERMSIG(status) == SIGSYS ? " by the sandbox" : "");
		d->abnormal = !c->signalled;
	} else {
		snprintf(d->how, sizeof(d->how), "ended (status 0x%x)",
		    status);
		d->abnormal = 1;
	}
	d->replace = p->state == POOL_RUNNING && !c->retiring &&
	    c->generation == p->generation && !d->fatal_start;
}

/*
 * Log the death of the worker of slot i: a warning, with what it was
 * doing, when nobody asked for it.
 */
static void
pool_death_log(struct pool *p, int i, const struct pool_death *d)
{
	struct pool_child	*c = &p->child[i];
	struct sb_slot		*slot = sb_slot(&p->sb, i);
	char			 doing[sizeof(slot->op) +
				    sizeof(slot->path) + 16];
	char			 op[sizeof(slot->op)];
	char			 path[sizeof(slot->path)];

	if (!d->abnormal) {
		log_debug("worker %d (pid %ld) %s", i, (long)c->pid, d->how);
		return;
	}
	doing[0] = '\0';
	if (slot->in_request) {
		/* what it was doing tells the admin where to look */
		sb_copy_str(op, sizeof(op), slot->op, sizeof(slot->op));
		sb_copy_str(path, sizeof(path), slot->path,
		    sizeof(slot->path));
		snprintf(doing, sizeof(doing), " during %s \"%s\"", op, path);
	}
	log_warnx("worker %d (pid %ld) %s%s, having served %llu "
	    "connections%s", i, (long)c->pid, d->how, doing,
	    (unsigned long long)slot->served,
	    d->replace ? "; replacing it" : "");
}

/*
 * An unasked death, as d describes it: deaths before serving, in a row,
 * slow the forks down exponentially, and too many of them stop the
 * server.  0, or -1 once the server stops.
 */
static int
pool_backoff(struct pool *p, const struct pool_death *d, int64_t now)
{
	int64_t	 delay;
	int	 shift;

	/*
	 * Only a worker that died before it ever waited for a connection
	 * says something is wrong with starting one: back off then.  One
	 * killed in service (OOM, an admin, a crash on one request) is
	 * replaced at once, or its clients would wait for the back-off.
	 */
	if (!d->up) {
		p->rapid++;
	} else {
		p->rapid = 0;
	}
	if (p->rapid > 0) {
		shift = p->rapid < 8 ? p->rapid : 8;
		delay = 50LL << shift;
		if (delay > POOL_MAX_BACKOFF_MS) {
			delay = POOL_MAX_BACKOFF_MS;
		}
		p->hold_until = now + delay;
	}
	if (!d->up && ++p->start_failures >= POOL_MAX_START_FAILURES) {
		pool_fail(p, "%d workers in a row died before serving "
		    "(last: %s)", p->start_failures, d->how);
		return -1;
	}
	return 0;
}

/* Account for the death of the worker of slot i. */
static void
pool_reaped(struct pool *p, int i, int status)
{
	struct pool_child	*c = &p->child[i];
	struct pool_death	 d;
	int64_t			 now = xio_now_ms();

	pool_death(p, i, status, &d);
	pool_death_log(p, i, &d);
	sb_slot_release(&p->sb, i);
	/* a worker killed mid-upload frees its room, and its peer's place */
	space_release(p->shared->space, i);
	addrtab_conn_close(p->shared->addrtab, i);
	memset(c, 0, sizeof(*c));
	p->nlive--;

	if (p->state != POOL_RUNNING) {
		return;
	}
	if (d.fatal_start) {
		pool_fail(p, "worker %d could not start (exit status %d)", i,
		    WORKER_EXIT_FATAL);
		return;
	}
	if (d.abnormal && pool_backoff(p, &d, now) == -1) {
		return;
	}
	if (d.replace) {
		p->owed++;
	}
}

/* Fork the replacements owed, unless backing off. */
static void
pool_respawn(struct pool *p, int64_t now)
{
	while (p->owed > 0 && p->state == POOL_RUNNING &&
	    now >= p->hold_until && p->nlive < p->sb.nslots) {
		if (pool_spawn(p) == -1) {
			break;
		}
		p->owed--;
	}
	/* with every slot taken, the spare upkeep decides later */
	if (p->nlive >= p->sb.nslots) {
		p->owed = 0;
	}
}

/* Tell the worker of slot i to finish and exit (SIGHUP). */
static void
pool_retire(struct pool *p, int i, int64_t now)
{
	struct pool_child	*c = &p->child[i];

	if (c->pid == 0 || c->retiring) {
		return;
	}
	c->retiring = 1;
	if (kill(c->pid, SIGHUP) == -1 && errno != ESRCH) {
		log_warn("kill %ld", (long)c->pid);
	}
	if (cfg.graceful_timeout > 0 && c->term_at == 0) {
		c->term_at = now + (int64_t)cfg.graceful_timeout * 1000;
	}
}

/* Retire n idle workers of the current generation, the last ones first. */
static void
pool_retire_idle(struct pool *p, int n, int64_t now)
{
	struct pool_child	*c;
	int			 i, st;

	for (i = p->sb.nslots - 1; i >= 0 && n > 0; i--) {
		c = &p->child[i];
		if (c->pid == 0 || c->retiring ||
		    c->generation != p->generation) {
			continue;
		}
		st = sb_slot(&p->sb, i)->state;
		if (st == SB_IDLE || st == SB_STARTING) {
			log_debug("retiring idle worker %d", i);
			pool_retire(p, i, now);
			n--;
		}
	}
}

/*
 * Once a second: keep the idle workers between min and max spare:
 * short of idle ones, fork what is missing at once; over, retire a
 * quarter of the excess (one at least) a second.  Apache's prefork
 * retires one a second, which after a burst of 128 leaves a hundred
 * idle processes for two minutes; a quarter brings it back within
 * about twenty seconds and still damps a load that comes and goes.  A
 * starting worker counts as idle: it will be soon.  Connections that
 * wait are pool_queue()'s.
 */
static void
pool_maintain(struct pool *p, int64_t now)
{
	struct sb_slot	*slot;
	int		 i, idle = 0, live = 0, busy = 0, n;
	int		 st;

	for (i = 0; i < p->sb.nslots; i++) {
		struct pool_child *c = &p->child[i];

		if (c->pid == 0) {
			continue;
		}
		slot = sb_slot(&p->sb, i);
		st = slot->state;
		if (!c->up && st != SB_STARTING && st != SB_EMPTY) {
			c->up = 1;
			p->start_failures = 0;
		}
		if (c->retiring || c->generation != p->generation) {
			continue;
		}
		live++;
		if (st == SB_IDLE || st == SB_STARTING) {
			idle++;
		} else {
			busy++;
		}
	}
	if (idle > cfg.max_spare) {
		pool_retire_idle(p, (idle - cfg.max_spare + 3) / 4, now);
		return;
	}
	if (idle > 0) {
		p->at_cap = 0;
	}
	if (idle >= cfg.min_spare && live >= 1) {
		return;
	}
	if (now < p->hold_until) {
		return;
	}
	n = cfg.min_spare - idle > 1 ? cfg.min_spare - idle : 1;
	if (n > p->sb.nslots - p->nlive) {
		n = p->sb.nslots - p->nlive;
	}
	if (n <= 0) {
		if (!p->at_cap) {
			log_warnx("all %d workers busy (--max-workers)",
			    p->nlive);
			p->at_cap = 1;
		}
		return;
	}
	if (n >= 8) {
		log_info("busy: %d idle, %d busy, starting %d workers", idle,
		    busy, n);
	}
	while (n-- > 0 && pool_spawn(p) == 0) {
		continue;
	}
}

/*
 * Connections waiting to be accepted: the accept queue's length, which
 * TCP_INFO gives for a listening socket (tcpi_unacked); 1 where it does
 * not tell, since the socket was readable.
 */
static int
pool_queued(struct pool *p)
{
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(p->listen_fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ==
	    -1 || len < offsetof(struct tcp_info, tcpi_unacked) +
	    sizeof(ti.tcpi_unacked) || ti.tcpi_state != TCP_LISTEN) {
		return 1;
	}
	return (int)ti.tcpi_unacked;
}

/*
 * The listening socket was readable: connections wait.  With a worker
 * idle (it is about to accept) nothing is needed.  Else fork at once
 * one worker per waiting connection that no starting worker, nor a
 * connection already told to close, will serve, within --max-workers;
 * at the cap, have as many connections idle longest closed.  Either
 * way the socket is left unwatched for POOL_QUEUE_MS.
 */
static void
pool_queue(struct pool *p, int64_t now)
{
	struct sb_slot	*slot;
	int		 i, queued, idle = 0, starting = 0, closing = 0, want;

	p->queue_seen = 0;
	p->queue_quiet = now + POOL_QUEUE_MS;
	if ((queued = pool_queued(p)) <= 0) {
		return;
	}
	for (i = 0; i < p->sb.nslots; i++) {
		struct pool_child *c = &p->child[i];

		if (c->pid == 0 || c->retiring ||
		    c->generation != p->generation) {
			continue;
		}
		slot = sb_slot(&p->sb, i);
		if (slot->state == SB_IDLE) {
			idle++;
		} else if (slot->state == SB_STARTING) {
			starting++;
		} else if (slot->yield != 0 && slot->yield ==
		    slot->conn_since) {
			closing++;
		}
	}
	if (idle > 0 || (want = queued - starting - closing) <= 0) {
		return;
	}
	while (want > 0 && now >= p->hold_until &&
	    p->nlive < p->sb.nslots && pool_spawn(p) == 0) {
		want--;
	}
	if (want > 0 && p->nlive >= p->sb.nslots) {
		if (!p->at_cap) {
			log_warnx("all %d workers busy (--max-workers) and "
			    "connections waiting: closing those idle longest",
			    p->nlive);
			p->at_cap = 1;
		}
		pool_yield(p, want, now);
	}
}

/* qsort_r: slots by how long their connection is idle, longest first. */
static int
pool_by_since(const void *a, const void *b, void *arg)
{
	struct scoreboard	*sb = arg;
	int64_t			 x = sb_slot(sb, *(const int *)a)->conn_since;
	int64_t			 y = sb_slot(sb, *(const int *)b)->conn_since;

	return x < y ? -1 : x > y;
}

/*
 * Tell the workers of the n connections idle longest (between requests,
 * or still without a whole first request, for POOL_YIELD_MIN_MS at
 * least) to close them: the slot's yield names the connection by when
 * it became idle, so a worker whose connection moved on meanwhile
 * keeps it.
 */
static void
pool_yield(struct pool *p, int n, int64_t now)
{
	struct sb_slot	*slot;
	int		 i, k = 0, conn;

	for (i = 0; i < p->sb.nslots; i++) {
		if (p->child[i].pid == 0 || p->child[i].signalled) {
			continue;
		}
		slot = sb_slot(&p->sb, i);
		conn = slot->conn;
		if ((conn == SB_CONN_FIRST || conn == SB_CONN_IDLE) &&
		    slot->state == SB_BUSY &&
		    now - slot->conn_since >= POOL_YIELD_MIN_MS &&
		    slot->yield != slot->conn_since) {
			p->order[k++] = i;
		}
	}
	qsort_r(p->order, (size_t)k, sizeof(p->order[0]), pool_by_since,
	    &p->sb);
	for (i = 0; i < k && i < n; i++) {
		slot = sb_slot(&p->sb, p->order[i]);
		slot->yield = slot->conn_since;
		log_debug("worker %d (pid %ld): connection idle %lld ms, "
		    "closing it for one that waits", p->order[i],
		    (long)p->child[p->order[i]].pid,
		    (long long)(now - slot->conn_since));
		if (kill(p->child[p->order[i]].pid, SIGUSR2) == -1 &&
		    errno != ESRCH) {
			log_warn("kill %ld", (long)p->child[p->order[i]].pid);
		}
	}
}

/*
 * Backstop to the worker's own stall timeout: a request that shows no
 * progress for --stall-timeout plus a margin gets its worker killed.
 */
static void
pool_check_stalls(struct pool *p, int64_t now)
{
	struct sb_slot	*slot;
	int64_t		 limit, last;
	char		 op[sizeof(slot->op)], path[sizeof(slot->path)];
	int		 i;

	limit = (int64_t)cfg.stall_timeout * 1000 + POOL_STALL_MARGIN_MS;
	for (i = 0; i < p->sb.nslots; i++) {
		struct pool_child *c = &p->child[i];

		if (c->pid == 0 || c->signalled) {
			continue;
		}
		slot = sb_slot(&p->sb, i);
		last = slot->last_progress;
		if (!slot->in_request || last == 0 || now - last < limit) {
			continue;
		}
		sb_copy_str(op, sizeof(op), slot->op, sizeof(slot->op));
		sb_copy_str(path, sizeof(path), slot->path,
		    sizeof(slot->path));
		log_warnx("worker %d (pid %ld): %s %s made no progress for "
		    "%lld s, killing it", i, (long)c->pid, op, path,
		    (long long)(now - last) / 1000);
		/* its own timeout failed: TERM would be no likelier to work */
		c->signalled = 1;
		kill(c->pid, SIGKILL);
	}
}

/* Graceful deadlines (SIGTERM) and kill deadlines (SIGKILL). */
static void
pool_deadlines(struct pool *p, int64_t now)
{
	int	 i;

	for (i = 0; i < p->sb.nslots; i++) {
		struct pool_child *c = &p->child[i];

		if (c->pid == 0) {
			continue;
		}
		if (c->term_at != 0 && now >= c->term_at) {
			log_info("worker %d (pid %ld) still busy after "
			    "--graceful-timeout, stopping it", i,
			    (long)c->pid);
			c->term_at = 0;
			c->signalled = 1;
			kill(c->pid, SIGTERM);
			if (c->kill_at == 0) {
				c->kill_at = now + POOL_KILL_DELAY_MS;
			}
		}
		if (c->kill_at != 0 && now >= c->kill_at) {
			log_warnx("worker %d (pid %ld) ignored SIGTERM, "
			    "killing it", i, (long)c->pid);
			c->kill_at = 0;
			c->signalled = 1;
			kill(c->pid, SIGKILL);
		}
	}
}

static void
pool_broadcast(struct pool *p, int sig)
{
	int	 i;

	for (i = 0; i < p->sb.nslots; i++) {
		if (p->child[i].pid != 0 &&
		    kill(p->child[i].pid, sig) == -1 && errno != ESRCH) {
			log_warn("kill %ld", (long)p->child[i].pid);
		}
	}
}

/*
 * Stop listening for good.  Every worker holds a copy of the socket and a
 * busy one may close it late, so shut the socket itself down: new
 * connections are refused at once and workers blocked in accept wake up.
 */
static void
pool_close_listener(struct pool *p)
{
	if (p->listen_fd == -1) {
		return;
	}
	if (shutdown(p->listen_fd, SHUT_RDWR) == -1 && errno != ENOTCONN) {
		log_warn("shutdown of the listening socket");
	}
	close(p->listen_fd);
	p->listen_fd = -1;
}

/* TERM/INT: workers exit now; whoever lingers is killed. */
static void
pool_stop_now(struct pool *p)
{
	int	 i;

	if (p->state == POOL_STOPPING) {
		return;
	}
	daemon_notify("STOPPING=1");
	p->state = POOL_STOPPING;
	for (i = 0; i < p->sb.nslots; i++) {
		p->child[i].signalled = 1;
		p->child[i].term_at = 0;
	}
	pool_broadcast(p, SIGTERM);
	pool_close_listener(p);
	p->stop_kill_at = xio_now_ms() + POOL_KILL_DELAY_MS;
}

/* QUIT: no new connection; running requests finish, idle ones close. */
static void
pool_stop_graceful(struct pool *p)
{
	int64_t	 now = xio_now_ms();
	int	 i;

	if (p->state != POOL_RUNNING) {
		return;
	}
	log_info("stopping gracefully");
	daemon_notify("STOPPING=1");
	p->state = POOL_GRACEFUL;
	/* told first, a worker woken from accept knows why */
	for (i = 0; i < p->sb.nslots; i++) {
		pool_retire(p, i, now);
	}
	pool_close_listener(p);
}

/*
 * HUP: a new generation takes new connections at once; the old workers
 * finish their request and leave.
 */
static void
pool_reload(struct pool *p)
{
	int64_t	 now = xio_now_ms();
	int	 i, n, fd;

	if (p->state != POOL_RUNNING) {
		return;
	}
	if (p->reload_cb != NULL) {
		p->reload_cb();
	}
	/* the root may have been replaced: serve what its path names now */
	fd = open(cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		log_warn("reload: root %s, keeping the old one", cfg.root);
	} else {
		close(p->root_fd);
		p->root_fd = fd;
	}
	p->generation++;
	log_info("reloading: new workers, generation %u", p->generation);
	for (i = 0; i < p->sb.nslots; i++) {
		if (p->child[i].pid != 0 &&
		    p->child[i].generation != p->generation) {
			pool_retire(p, i, now);
		}
	}
	p->owed = 0;
	for (n = 0; n < cfg.workers && p->nlive < p->sb.nslots; n++) {
		if (pool_spawn(p) == -1) {
			break;
		}
	}
}

/* Act on the signals noted by the handler. */
static void
pool_take_signals(struct pool *p)
{
	if (pool_got[SIGTERM] || pool_got[SIGINT]) {
		pool_got[SIGTERM] = pool_got[SIGINT] = 0;
		if (p->state != POOL_STOPPING) {
			log_info("stopping");
		}
		pool_stop_now(p);
	}
	if (pool_got[SIGQUIT]) {
		pool_got[SIGQUIT] = 0;
		pool_stop_graceful(p);
	}
	if (pool_got[SIGHUP]) {
		pool_got[SIGHUP] = 0;
		pool_reload(p);
	}
	if (pool_got[SIGUSR1]) {
		pool_got[SIGUSR1] = 0;
		if (log_reopen() == -1) {
			log_warn("reopening the log file");
		}
		log_info("log file reopened");
		pool_broadcast(p, SIGUSR1);
	}
	pool_got[SIGCHLD] = 0;
}

/* Milliseconds until the loop has something to do on its own. */
static int
pool_timeout(struct pool *p, int64_t now)
{
	int64_t	 next = now + 1000;
	int	 i;

	if (p->state == POOL_RUNNING) {
		if (p->next_tick < next) {
			next = p->next_tick;
		}
		if (p->owed > 0 && p->hold_until < next) {
			next = p->hold_until;
		}
		if (p->queue_quiet > now && p->queue_quiet < next) {
			next = p->queue_quiet;
		}
		if (!p->ready) {
			next = now + 10;
		}
	}
	if (p->state == POOL_STOPPING && p->stop_kill_at < next) {
		next = p->stop_kill_at;
	}
	for (i = 0; i < p->sb.nslots; i++) {
		struct pool_child *c = &p->child[i];

		if (c->pid == 0) {
			continue;
		}
		if (c->term_at != 0 && c->term_at < next) {
			next = c->term_at;
		}
		if (c->kill_at != 0 && c->kill_at < next) {
			next = c->kill_at;
		}
	}
	if (next <= now) {
		return 0;
	}
	return (int)(next - now);
}

/*
 * Sleep until a signal, the next deadline, or connections waiting on
 * the listening socket (watched unless quiet); empty the self-pipe.
 */
static void
pool_wait(struct pool *p)
{
	struct pollfd	 pfd[2];
	char		 buf[64];
	int64_t		 now = xio_now_ms();
	nfds_t		 n = 1;

	pfd[0].fd = p->sig_rd;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	if (p->state == POOL_RUNNING && p->listen_fd != -1 && p->ready &&
	    now >= p->queue_quiet) {
		pfd[1].fd = p->listen_fd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		n = 2;
	}
	if (poll(pfd, n, pool_timeout(p, now)) == -1 && errno != EINTR) {
		fatal("poll");
	}
	if (n == 2 && (pfd[1].revents & POLLIN)) {
		p->queue_seen = 1;
	}
	while (read(p->sig_rd, buf, sizeof(buf)) > 0) {
		continue;
	}
}

/* The first worker waiting for connections makes the server ready. */
static void
pool_check_ready(struct pool *p)
{
	int	 i;

	if (p->ready) {
		return;
	}
	for (i = 0; i < p->sb.nslots; i++) {
		if (p->child[i].pid != 0 &&
		    sb_slot(&p->sb, i)->state == SB_IDLE) {
			p->ready = 1;
		}
	}
	if (p->ready && p->ready_cb != NULL) {
		p->ready_cb();
	}
}

/* The upkeep of a running pool: replacements, spares, stalls. */
static void
pool_upkeep(struct pool *p, int64_t now)
{
	pool_check_ready(p);
	pool_respawn(p, now);
	if (p->queue_seen) {
		pool_queue(p, now);
	}
	if (now >= p->next_tick) {
		pool_maintain(p, now);
		pool_check_stalls(p, now);
		p->next_tick = now + 1000;
	}
}

/* Stopping: workers that outlive SIGTERM are killed. */
static void
pool_stop_kill(struct pool *p, int64_t now)
{
	if (now >= p->stop_kill_at && p->nlive > 0) {
		log_warnx("%d workers ignored SIGTERM, killing them",
		    p->nlive);
		pool_broadcast(p, SIGKILL);
		p->stop_kill_at = now + 60000;
	}
}

/* All workers are gone: release what pool_setup() took, and the root. */
static void
pool_teardown(struct pool *p)
{
	pool_close_listener(p);
	pool_wakefd = -1;
	close(p->sig_rd);
	close(p->sig_wr);
	close(p->death_rd);
	close(p->death_wr);
	close(p->root_fd);
	free(p->order);
	free(p->child);
	sb_free(&p->sb);
}

int
pool_run(int listen_fd, int root_fd, struct serve_shared *shared,
    void (*ready)(void), void (*reload)(void))
{
	struct pool	 pool, *p = &pool;
	int64_t		 now;
	int		 i;

	if (pool_setup(p, listen_fd, root_fd) == -1) {
		return 1;
	}
	p->shared = shared;
	p->ready_cb = ready;
	p->reload_cb = reload;
	for (i = 0; i < cfg.workers; i++) {
		if (pool_spawn(p) == -1) {
			pool_fail(p, "cannot start the workers");
			break;
		}
	}
	p->next_tick = xio_now_ms() + 1000;
	for (;;) {
		pool_wait(p);
		pool_reap(p);
		pool_take_signals(p);
		now = xio_now_ms();
		if (p->state == POOL_RUNNING) {
			pool_upkeep(p, now);
		}
		if (p->state == POOL_STOPPING) {
			pool_stop_kill(p, now);
		}
		pool_deadlines(p, now);
		if (p->state != POOL_RUNNING && p->nlive == 0) {
			break;
		}
	}
	pool_teardown(p);
	log_info("stopped");
	return p->exit_status;
}
