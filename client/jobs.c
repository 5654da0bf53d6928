/*
 * jobs.c -- a plan's files on N connections (-j N).
 *
 * Each connection is a child process with a copy of the client: it
 * drops the parent's socket (closing its copy only, never saying QUIT
 * on it), connects and signs in as the client would, then takes step
 * numbers from a pipe and answers with the outcome; while a file moves
 * it reports its bytes, a few times a second, so that the parent can
 * draw one progress line for all.  A child that dies (killed, or its
 * connection lost past --retry) has its step handed to another child,
 * which resumes from what is in place: the partial file of a download,
 * the server's kept partial of an upload.  Children never touch the
 * terminal but for warnings.
 */

#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "intr.h"
#include "jobs.h"
#include "progress.h"
#include "xio.h"

#define JOBS_QUIT	0xffffffffu	/* the step number that ends a child */
#define JOBS_RESUME	0x80000000u	/* flag on a step handed out again */
#define JOBS_TICK_MS	200		/* a child's progress reports */
#define JOBS_TRIES	3		/* times a step is handed out */

/* From a child: how its step goes. */
struct jobs_msg {
	uint8_t		 type;		/* 'p' progress, 'd' done */
	int32_t		 st;		/* 'd': its status */
	uint32_t	 idx;
	uint64_t	 bytes;		/* moved by the step so far */
};

struct jobs_worker {
	pid_t		 pid;		/* 0: none */
	int		 to, from;	/* step numbers out, messages in */
	long		 cur;		/* the step it runs, or -1 */
	uint64_t	 bytes;		/* of that step, so far */
};

struct jobs {
	struct client		*cl;
	struct plan		*p;
	const struct plan_opts	*o;
	struct jobs_worker	 w[PLAN_JOBS_MAX];
	int			 n;		/* workers */
	size_t			*queue;		/* steps not handed out */
	size_t			 qhead, qlen;
	uint8_t			*tries;		/* per step */
	uint64_t		 done;		/* bytes of finished steps */
	size_t			 files;		/* finished steps */
	int			 spawned, stop, st;
	struct progress		 prog;
};

/* What a child keeps between its progress reports. */
struct jobs_tick {
	int		 fd;
	uint32_t	 idx;
	int64_t		 last;
};

static void	jobs_child(struct jobs *, int) __attribute__((noreturn));
static void	jobs_tick(void *, uint64_t);
static int	jobs_spawn(struct jobs *, int);
static void	jobs_give(struct jobs *, int);
static void	jobs_read(struct jobs *, int);
static void	jobs_died(struct jobs *, int);
static void	jobs_draw(struct jobs *);
static int	jobs_active(const struct jobs *);

/* A child's report of bytes, at most every JOBS_TICK_MS. */
static void
jobs_tick(void *arg, uint64_t moved)
{
	struct jobs_tick	*t = arg;
	struct jobs_msg		 m;
	int64_t			 now = xio_now_ms();

	if (now - t->last < JOBS_TICK_MS) {
		return;
	}
	t->last = now;
	memset(&m, 0, sizeof(m));
	m.type = 'p';
	m.idx = t->idx;
	m.bytes = moved;
	(void)xio_write_full(t->fd, &m, sizeof(m), -1);
}

/* The child of slot me: steps in, outcomes out, until told to end. */
static void
jobs_child(struct jobs *j, int me)
{
	struct session		*s = &j->cl->sess;
	struct plan_opts	 o = *j->o;
	struct plan_item	*it;
	struct jobs_tick	 t;
	struct jobs_msg		 m;
	uint32_t		 idx;
	uint64_t		 moved;
	int			 k, to = j->w[me].to, from = j->w[me].from;

	for (k = 0; k < j->n; k++) {
		if (k != me && j->w[k].pid != 0) {
			close(j->w[k].to);
			close(j->w[k].from);
		}
	}
	/* the parent's connection stays the parent's: only our copy goes */
	session_drop(s);
	if (intr_fork() == -1) {
		_exit(1);
	}
	s->quiet = 1;
	progress_enable(0);
	memset(&t, 0, sizeof(t));
	t.fd = from;
	o.xo.tick = jobs_tick;
	o.xo.tick_arg = &t;
	while (xio_read_full(to, &idx, sizeof(idx), -1) ==
	    (ssize_t)sizeof(idx) && idx != JOBS_QUIT) {
		it = &j->p->v[idx & ~JOBS_RESUME];
		it->resume = (idx & JOBS_RESUME) != 0;
		t.idx = idx & ~JOBS_RESUME;
		(void)plan_file(s, &o, it, &moved);
		memset(&m, 0, sizeof(m));
		m.type = 'd';
		m.idx = t.idx;
		m.st = it->st;
		m.bytes = moved;
		if (xio_write_full(from, &m, sizeof(m), -1) == -1) {
			break;
		}
	}
	session_quit(s);
	(void)fflush(stdout);
	_exit(0);
}

/* Start the child of slot k.  0, or -1 after a message. */
static int
jobs_spawn(struct jobs *j, int k)
{
	struct jobs_worker	*w = &j->w[k];
	int			 down[2], up[2];
	pid_t			 pid;

	if (pipe2(down, O_CLOEXEC) == -1) {
		warn("-j: pipe");
		return -1;
	}
	if (pipe2(up, O_CLOEXEC) == -1) {
		warn("-j: pipe");
		close(down[0]);
		close(down[1]);
		return -1;
	}
	(void)fflush(stdout);
	(void)fflush(stderr);
	w->to = down[0];
	w->from = up[1];
	if ((pid = fork()) == 0) {
		close(down[1]);
		close(up[0]);
		jobs_child(j, k);
	}
	close(down[0]);
	close(up[1]);
	if (pid == -1) {
		warn("-j: fork");
		close(down[1]);
		close(up[0]);
		return -1;
	}
	w->pid = pid;
	w->to = down[1];
	w->from = up[0];
	w->cur = -1;
	w->bytes = 0;
	j->spawned++;
	return 0;
}

/* Hand worker k its next step, or tell it to end. */
static void
jobs_give(struct jobs *j, int k)
{
	struct jobs_worker	*w = &j->w[k];
	uint32_t		 idx = JOBS_QUIT;
	size_t			 i;

	w->cur = -1;
	w->bytes = 0;
	if (!j->stop && j->qhead < j->qlen) {
		i = j->queue[j->qhead++];
		w->cur = (long)i;
		idx = (uint32_t)i | (j->tries[i]++ > 0 ? JOBS_RESUME : 0);
	}
	if (xio_write_full(w->to, &idx, sizeof(idx), -1) == -1) {
		/* it died: its pipe tells the loop so */
		return;
	}
}

/* A worker's pipe ended: its step goes back to the queue. */
static void
jobs_died(struct jobs *j, int k)
{
	struct jobs_worker	*w = &j->w[k];
	int			 wst;

	close(w->to);
	close(w->from);
	while (waitpid(w->pid, &wst, 0) == -1 && errno == EINTR) {
		continue;
	}
	w->pid = 0;
	if (w->cur >= 0) {
		if (j->tries[w->cur] < JOBS_TRIES && !j->stop) {
			progress_break(&j->prog);
			warnx("%s %s: its connection's process ended; handed "
			    "to another", j->o->verb, j->p->v[w->cur].shown);
			j->queue[--j->qhead] = (size_t)w->cur;
		} else {
			warnx("%s %s: its connection's process ended",
			    j->o->verb, j->p->v[w->cur].shown);
			j->st = exitcode_merge(j->st, ST_FAIL);
		}
		w->cur = -1;
	}
	if (!j->stop && j->qhead < j->qlen &&
	    j->spawned < j->n + 2 * JOBS_TRIES && jobs_spawn(j, k) == 0) {
		jobs_give(j, k);
	}
}

/* One message from worker k (or its end). */
static void
jobs_read(struct jobs *j, int k)
{
	struct jobs_worker	*w = &j->w[k];
	struct jobs_msg		 m;

	if (xio_read_full(w->from, &m, sizeof(m), -1) != (ssize_t)sizeof(m)) {
		jobs_died(j, k);
		return;
	}
	if (w->cur < 0 || m.idx != (uint32_t)w->cur) {
		return;
	}
	if (m.type == 'p') {
		w->bytes = m.bytes;
		return;
	}
	j->p->v[m.idx].st = m.st;
	if (j->o->put) {
		/* the child changed that folder: completion must see it */
		rcache_forget_parent(&j->cl->cache, j->p->v[m.idx].dst);
	}
	j->st = exitcode_merge(j->st, m.st);
	j->done += m.bytes;
	j->files++;
	if (m.st == ST_LOST || m.st == ST_REFUSED) {
		j->stop = 1;
	}
	jobs_give(j, k);
}

static int
jobs_active(const struct jobs *j)
{
	int	 k, n = 0;

	for (k = 0; k < j->n; k++) {
		n += j->w[k].pid != 0;
	}
	return n;
}

/* The one progress line: files done of all, and their bytes. */
static void
jobs_draw(struct jobs *j)
{
	uint64_t	 b = j->done;
	int		 k;

	for (k = 0; k < j->n; k++) {
		if (j->w[k].pid != 0 && j->w[k].cur >= 0) {
			b += j->w[k].bytes;
		}
	}
	(void)snprintf(j->prog.name, sizeof(j->prog.name),
	    "%zu/%zu files, %d connections", j->files, j->p->files, j->n);
	progress_update(&j->prog, b);
}

int
jobs_run(struct client *cl, struct plan *p, const struct plan_opts *o,
    uint64_t *moved)
{
	struct pollfd	 pfd[PLAN_JOBS_MAX + 1];
	struct jobs	 j;
	size_t		 i;
	int		 k, np, idx[PLAN_JOBS_MAX];

	memset(&j, 0, sizeof(j));
	j.cl = cl;
	j.p = p;
	j.o = o;
	j.n = o->jobs > PLAN_JOBS_MAX ? PLAN_JOBS_MAX : o->jobs;
	if ((size_t)j.n > p->files) {
		j.n = (int)p->files;
	}
	j.queue = calloc(p->n + 1, sizeof(*j.queue));
	j.tries = calloc(p->n + 1, sizeof(*j.tries));
	if (j.queue == NULL || j.tries == NULL) {
		free(j.queue);
		free(j.tries);
		warnx("-j: out of memory");
		return ST_FAIL;
	}
	for (i = 0; i < p->n; i++) {
		if (p->v[i].kind == PLAN_FILE && p->v[i].st == ST_OK) {
			j.queue[j.qlen++] = i;
		}
	}
	progress_start(&j.prog, "files", 0, p->bytes);
	for (k = 0; k < j.n; k++) {
		if (jobs_spawn(&j, k) == 0) {
			jobs_give(&j, k);
		}
	}
	while (jobs_active(&j) > 0) {
		for (np = 0, k = 0; k < j.n; k++) {
			if (j.w[k].pid != 0) {
				pfd[np].fd = j.w[k].from;
				pfd[np].events = POLLIN;
				idx[np++] = k;
			}
		}
		pfd[np].fd = intr_fd();
		pfd[np].events = POLLIN;
		if (poll(pfd, (nfds_t)np + 1, PROGRESS_INTERVAL_MS) == -1 &&
		    errno != EINTR) {
			warn("-j: poll");
			j.stop = 1;
		}
		if (intr_pending()) {
			/* the children have had their Ctrl-C too */
			j.stop = 1;
		}
		for (k = 0; k < np; k++) {
			if (pfd[k].revents != 0) {
				jobs_read(&j, idx[k]);
			}
		}
		jobs_draw(&j);
	}
	if (j.qhead < j.qlen && !j.stop) {
		warnx("%s: no connection left to move %zu files", o->verb,
		    j.qlen - j.qhead);
		j.st = exitcode_merge(j.st, ST_FAIL);
	}
	progress_end(&j.prog, j.st == ST_OK);
	*moved += j.done;
	free(j.queue);
	free(j.tries);
	return intr_pending() ? exitcode_merge(j.st, ST_FAIL) : j.st;
}
