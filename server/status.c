/*
 * status.c -- "tfsd -s status": what the workers of a running daemon
 * are doing, in the manner of Apache's server-status.
 *
 * The daemon keeps its scoreboard in a file beside its pid file
 * (scoreboard.c).  The pid file's lock says whether that daemon runs, so
 * a file left behind by a killed one is never shown; the header must
 * also name the pid the pid file holds.  The file is read in one go into
 * memory and never mapped: a daemon that truncates it cannot fault this
 * process.  Its workers talk to the network, so everything read is
 * checked: sizes against the file's length, strings cleaned to printable
 * ASCII before they reach a terminal.  Read-only; never signals.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "scoreboard.h"
#include "status.h"
#include "xio.h"

#define STATUS_FILE_MAX	(64u * 1024 * 1024)

/* One worker as shown: a cleaned copy of its slot. */
struct status_worker {
	int		 slot;
	long		 pid;
	unsigned long	 generation;
	const char	*state;
	int		 running;	/* a request runs */
	char		 peer[64];
	char		 user[64];
	char		 op[8];
	char		 path[128];
	uint64_t	 bytes, rate, served, requests;
	long long	 secs;		/* in this state */
	long long	 connected;	/* seconds, or -1 */
};

/* The whole pool, totals included. */
struct status_pool {
	const struct sb_header *hdr;
	long		 pid;
	long long	 uptime;
	long long	 started;
	uint64_t	 served, requests, bytes_in, bytes_out;
	int		 nworkers, nbusy, nwaiting, nidle;
	struct status_worker *w;
};

static int	status_read(const char *, void **, size_t *);
static const char *status_check(const void *, size_t, pid_t);
static void	status_clean(char *, size_t, const char *, size_t);
static void	status_worker(const struct sb_slot *, int, int64_t,
		    struct status_worker *);
static void	status_count(struct status_pool *, const struct sb_slot *,
		    const struct status_worker *);
static void	status_size(uint64_t, char *, size_t);
static void	status_uptime(long long, char *, size_t);
static void	status_table(const struct status_pool *, FILE *);
static void	status_json(const struct status_pool *, FILE *);
static void	status_json_str(FILE *, const char *, const char *);

int
status_show(const char *pidfile, int json, FILE *out)
{
	char		 path[PATH_MAX];
	const char	*why = NULL;
	void		*buf = NULL;
	size_t		 len = 0;
	pid_t		 pid;
	int		 ret;

	if ((pid = daemon_running(pidfile)) == -1) {
		return 1;
	}
	if (sb_path(pidfile, path, sizeof(path)) == -1) {
		warnx("scoreboard of %s: path too long", pidfile);
		return 1;
	}
	if (status_read(path, &buf, &len) == -1) {
		warn("tfsd runs as pid %ld, but its scoreboard %s",
		    (long)pid, path);
		return 1;
	}
	ret = status_format(buf, len, pid, xio_now_ms(), time(NULL), json,
	    out, &why);
	free(buf);
	if (ret == -1) {
		warnx("tfsd runs as pid %ld, but %s %s", (long)pid, path, why);
		return 1;
	}
	if (fflush(out) == EOF || ferror(out)) {
		warn("stdout");
		return 1;
	}
	return 0;
}

/* The file at path, whole, in a new buffer.  0, or -1 with errno. */
static int
status_read(const char *path, void **bufp, size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < SB_HEADER_SIZE ||
	    (uint64_t)st.st_size > STATUS_FILE_MAX) {
		errno = EINVAL;
		goto out_close;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		goto out_close;
	}
	if ((n = xio_read_full(fd, buf, (size_t)st.st_size, -1)) == -1) {
		free(buf);
		goto out_close;
	}
	len = (size_t)n;
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
out_close:
	return xio_close_failed(fd);
}

/* Why buf is not the scoreboard of daemon pid, or NULL when it is. */
static const char *
status_check(const void *buf, size_t len, pid_t pid)
{
	const struct sb_header	*h = buf;

	if (len < SB_HEADER_SIZE || h->magic != SB_MAGIC) {
		return "is no scoreboard";
	}
	if (h->version != SB_VERSION ||
	    h->slot_size != sizeof(struct sb_slot)) {
		return "is the scoreboard of another version of tfsd";
	}
	if (h->nslots == 0 || h->nslots > (len - SB_HEADER_SIZE) /
	    sizeof(struct sb_slot)) {
		return "is cut short";
	}
	if (h->master != pid) {
		return "belongs to another daemon";
	}
	return NULL;
}

/* Copy a field of the image, keeping printable ASCII only. */
static void
status_clean(char *dst, size_t dstsz, const char *src, size_t srcsz)
{
	size_t	 i;

	sb_copy_str(dst, dstsz, src, srcsz);
	for (i = 0; dst[i] != '\0'; i++) {
		if (dst[i] < 0x20 || dst[i] > 0x7e) {
			dst[i] = '?';
		}
	}
}

/* What the worker of slot i is doing, as of now_ms. */
static void
status_worker(const struct sb_slot *s, int i, int64_t now_ms,
    struct status_worker *w)
{
	int64_t	 since, ms;

	memset(w, 0, sizeof(*w));
	w->slot = i;
	w->pid = (long)s->pid;
	w->generation = s->generation;
	w->served = s->served;
	w->requests = s->requests;
	w->connected = -1;
	since = s->last_progress;
	switch (s->state) {
	case SB_STARTING:
		w->state = "starting";
		break;
	case SB_IDLE:
		w->state = "idle";
		break;
	case SB_BUSY:
		w->running = s->req_start != 0;
		w->state = w->running ? "busy" : "waiting";
		status_clean(w->peer, sizeof(w->peer), s->peer,
		    sizeof(s->peer));
		status_clean(w->user, sizeof(w->user), s->user,
		    sizeof(s->user));
		if (s->conn_start > 0 && now_ms >= s->conn_start) {
			w->connected = (now_ms - s->conn_start) / 1000;
		}
		break;
	case SB_EXITING:
		w->state = "exiting";
		break;
	default:
		w->state = "unknown";
		break;
	}
	if (w->running) {
		status_clean(w->op, sizeof(w->op), s->op, sizeof(s->op));
		status_clean(w->path, sizeof(w->path), s->path,
		    sizeof(s->path));
		w->bytes = s->bytes;
		since = s->req_start;
		ms = now_ms - since;
		w->rate = ms > 0 ? w->bytes * 1000 / (uint64_t)ms : 0;
	}
	w->secs = since > 0 && now_ms >= since ? (now_ms - since) / 1000 : 0;
}

/* Add worker w (of slot s) to the totals. */
static void
status_count(struct status_pool *p, const struct sb_slot *s,
    const struct status_worker *w)
{
	p->served += w->served;
	p->requests += w->requests;
	p->bytes_in += s->bytes_in;
	p->bytes_out += s->bytes_out;
	/* the transfer in progress counts too */
	if (w->running && strcmp(w->op, "PUT") == 0) {
		p->bytes_in += w->bytes;
	} else if (w->running && strcmp(w->op, "GET") == 0) {
		p->bytes_out += w->bytes;
	}
	p->nworkers++;
	if (w->running) {
		p->nbusy++;
	} else if (strcmp(w->state, "waiting") == 0) {
		p->nwaiting++;
	} else if (strcmp(w->state, "idle") == 0) {
		p->nidle++;
	}
}

int
status_format(const void *buf, size_t len, pid_t pid, int64_t now_ms,
    time_t now, int json, FILE *out, const char **why)
{
	struct status_pool	 p;
	const struct sb_slot	*s;
	uint32_t		 i;

	if ((*why = status_check(buf, len, pid)) != NULL) {
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.hdr = buf;
	p.pid = (long)pid;
	p.started = (long long)p.hdr->started;
	p.uptime = now > p.hdr->started ? (long long)now - p.started : 0;
	p.served = p.hdr->served;
	p.requests = p.hdr->requests;
	p.bytes_in = p.hdr->bytes_in;
	p.bytes_out = p.hdr->bytes_out;
	if ((p.w = calloc(p.hdr->nslots, sizeof(*p.w))) == NULL) {
		*why = "cannot be read: out of memory";
		return -1;
	}
	s = (const struct sb_slot *)((const char *)buf + SB_HEADER_SIZE);
	for (i = 0; i < p.hdr->nslots; i++) {
		if (s[i].pid <= 0 || s[i].state == SB_EMPTY) {
			continue;
		}
		status_worker(&s[i], (int)i, now_ms, &p.w[p.nworkers]);
		status_count(&p, &s[i], &p.w[p.nworkers]);
	}
	if (json) {
		status_json(&p, out);
	} else {
		status_table(&p, out);
	}
	free(p.w);
	return 0;
}

/* "512", "1.5K", "12.3M": powers of 1024, for people. */
static void
status_size(uint64_t n, char *buf, size_t bufsz)
{
	static const char	 units[] = "KMGTPE";
	double			 v = (double)n;
	int			 u = -1;

	if (n < 1024) {
		(void)snprintf(buf, bufsz, "%llu", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < (int)sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	(void)snprintf(buf, bufsz, "%.1f%c", v, units[u]);
}

/* "3d 04:05:06", or "04:05:06" under a day. */
static void
status_uptime(long long secs, char *buf, size_t bufsz)
{
	long long	 d = secs / 86400;

	secs %= 86400;
	if (d > 0) {
		(void)snprintf(buf, bufsz, "%lldd %02lld:%02lld:%02lld", d,
		    secs / 3600, secs / 60 % 60, secs % 60);
	} else {
		(void)snprintf(buf, bufsz, "%02lld:%02lld:%02lld", secs / 3600,
		    secs / 60 % 60, secs % 60);
	}
}

/* Totals first, then a line per worker, the path last: it may be long. */
static void
status_table(const struct status_pool *p, FILE *out)
{
	const struct status_worker	*w;
	char				 up[32], in[16], outb[16], bytes[16];
	char				 rate[24], path[sizeof(w->path) + 2];
	int				 i, pw = 4, uw = 4;

	status_uptime(p->uptime, up, sizeof(up));
	status_size(p->bytes_in, in, sizeof(in));
	status_size(p->bytes_out, outb, sizeof(outb));
	fprintf(out, "tfsd pid %ld, up %s; %d workers: %d busy, %d waiting, "
	    "%d idle\n", p->pid, up, p->nworkers, p->nbusy, p->nwaiting,
	    p->nidle);
	fprintf(out, "served %llu connections, %llu requests; %s in, %s out"
	    "\n\n", (unsigned long long)p->served,
	    (unsigned long long)p->requests, in, outb);
	for (i = 0; i < p->nworkers; i++) {
		if ((int)strlen(p->w[i].peer) > pw) {
			pw = (int)strlen(p->w[i].peer);
		}
		if ((int)strlen(p->w[i].user) > uw) {
			uw = (int)strlen(p->w[i].user);
		}
	}
	fprintf(out, "%4s %6s %-8s %4s %7s %8s %-*s %-*s %-7s %s\n", "SLOT",
	    "PID", "STATE", "SECS", "BYTES", "RATE", pw, "PEER", uw, "USER",
	    "REQUEST", "PATH");
	for (i = 0; i < p->nworkers; i++) {
		w = &p->w[i];
		(void)strlcpy(bytes, "-", sizeof(bytes));
		(void)strlcpy(rate, "-", sizeof(rate));
		(void)strlcpy(path, "-", sizeof(path));
		if (w->running) {
			status_size(w->bytes, bytes, sizeof(bytes));
			status_size(w->rate, rate, sizeof(rate) - 2);
			(void)strlcat(rate, "/s", sizeof(rate));
			(void)snprintf(path, sizeof(path), "\"%s\"", w->path);
		}
		fprintf(out, "%4d %6ld %-8s %4lld %7s %8s %-*s %-*s %-7s %s\n",
		    w->slot, w->pid, w->state, w->secs, bytes, rate, pw,
		    w->peer[0] != '\0' ? w->peer : "-", uw,
		    w->user[0] != '\0' ? w->user : "-",
		    w->running ? w->op : "-", path);
	}
}

/* "name":"value" with JSON's escapes; NULL or "" is null. */
static void
status_json_str(FILE *out, const char *name, const char *v)
{
	fprintf(out, "\"%s\":", name);
	if (v == NULL || *v == '\0') {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *v != '\0'; v++) {
		/* status_clean() left printable ASCII only */
		if (*v == '"' || *v == '\\') {
			fputc('\\', out);
		}
		fputc(*v, out);
	}
	fputc('"', out);
}

static void
status_json(const struct status_pool *p, FILE *out)
{
	const struct status_worker	*w;
	int				 i;

	fprintf(out, "{\"pid\":%ld,\"started\":%lld,\"uptime\":%lld,"
	    "\"connections\":%llu,\"requests\":%llu,\"bytes_in\":%llu,"
	    "\"bytes_out\":%llu,\"busy\":%d,\"waiting\":%d,\"idle\":%d,"
	    "\"workers\":[", p->pid, p->started, p->uptime,
	    (unsigned long long)p->served, (unsigned long long)p->requests,
	    (unsigned long long)p->bytes_in, (unsigned long long)p->bytes_out,
	    p->nbusy, p->nwaiting, p->nidle);
	for (i = 0; i < p->nworkers; i++) {
		w = &p->w[i];
		fprintf(out, "%s{\"slot\":%d,\"pid\":%ld,\"generation\":%lu,",
		    i > 0 ? "," : "", w->slot, w->pid, w->generation);
		status_json_str(out, "state", w->state);
		fputc(',', out);
		status_json_str(out, "peer", w->peer);
		fputc(',', out);
		status_json_str(out, "user", w->user);
		fputc(',', out);
		status_json_str(out, "request", w->running ? w->op : NULL);
		fputc(',', out);
		status_json_str(out, "path", w->running ? w->path : NULL);
		fprintf(out, ",\"bytes\":%llu,\"rate\":%llu,\"seconds\":%lld,",
		    (unsigned long long)w->bytes, (unsigned long long)w->rate,
		    w->secs);
		if (w->connected >= 0) {
			fprintf(out, "\"connected\":%lld,", w->connected);
		} else {
			fputs("\"connected\":null,", out);
		}
		fprintf(out, "\"connections\":%llu,\"requests\":%llu}",
		    (unsigned long long)w->served,
		    (unsigned long long)w->requests);
	}
	fputs("]}\n", out);
}
