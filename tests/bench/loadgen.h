/*
 * loadgen.h -- the request/response client engine shared by the
 * benchmark programs: C connections to a loopback server, driven by
 * epoll in T threads, each connection keeping up to D requests in flight
 * (or opening a new connection for every request), one latency sample
 * per completed request.
 *
 * Header-only (static functions): the Makefile builds every
 * tests/bench/X.c on its own.  A program supplies to lg_defaults() an
 * lg_encode_fn that encodes one request and an lg_parse_fn that parses
 * reply bytes; the engine never knows the protocol.  It only ever connects to the address it is given.
 */

#ifndef BENCH_LOADGEN_H
#define BENCH_LOADGEN_H

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define LG_DEPTH_MAX	256
#define LG_OUT_MAX	8192	/* queued request bytes per connection */
#define LG_RBUF		(256 * 1024)

enum lg_state {
	LG_CONNECTING,
	LG_GREETING,		/* connected, waiting for the server's hello */
	LG_READY,
};

struct lg_thread;

struct lg_conn {
	int			 fd;
	enum lg_state		 state;
	int			 inflight;
	uint64_t		 nsent;		/* requests on this connection */
	int64_t			 sent_ns[LG_DEPTH_MAX];	/* ring of send times */
	int			 head;
	int64_t			 open_ns;	/* connect() time (new-conn mode) */
	uint8_t			 out[LG_OUT_MAX];
	size_t			 outoff, outlen;
	int			 want_out;	/* EPOLLOUT registered */
	/* Parser state, owned by the protocol's parse(). */
	uint8_t			 hdr[8];
	size_t			 hdr_have;
	uint8_t			 type;
	uint64_t		 left;		/* payload bytes still due */
	uint8_t			 pbuf[32];	/* head of a small payload */
	size_t			 pbuf_have;
	uint64_t		 expect, got;	/* reply bytes announced/seen */
	int			 greeted;
	struct lg_thread	*t;
};

/*
 * parse() consumes reply bytes: it returns how many it used (all of them
 * unless it stops after a reply) and adds complete replies to *done, bad
 * ones also to *bad.  It sets c->greeted once the greeting (if any) is
 * through.  -1 = the stream makes no sense: drop the connection.
 */
typedef ssize_t	 lg_parse_fn(struct lg_conn *c, const uint8_t *p, size_t n,
		    int *done, int *bad);
/* encode() writes request number seq into buf: its length, 0 if cap is
 * too small. */
typedef size_t	 lg_encode_fn(uint8_t *buf, size_t cap, uint64_t seq);

struct lg_proto {
	int		 greeting;	/* the server speaks first */
	lg_encode_fn	*encode;
	lg_parse_fn	*parse;
};

struct lg_config {
	struct sockaddr_in	 addr;
	int			 conns;
	int			 threads;
	int			 depth;		/* requests in flight per conn */
	int			 newconn;	/* one connection per request */
	double			 duration;	/* seconds measured */
	double			 warmup;	/* seconds before measuring */
	struct lg_proto		 proto;
};

struct lg_thread {
	pthread_t		 tid;
	const struct lg_config	*cfg;
	int			 ep;
	int			 first, nconns;
	struct lg_conn		*conns;
	int64_t			 t_measure, t_end;
	uint32_t		*lat;		/* microseconds */
	size_t			 nlat, caplat;
	uint64_t		 ops, bad, drops, connects;
	uint64_t		 seq;
	uint8_t			*rbuf;
};

struct lg_result {
	uint64_t	 ops, bad, drops, connects;
	double		 secs;
	double		 ops_per_s;
	double		 p50_us, p90_us, p99_us, max_us;
};

static int64_t	lg_now_ns(void);
static int	lg_open(struct lg_thread *, struct lg_conn *);
static void	lg_drop(struct lg_thread *, struct lg_conn *, int reopen);
static int	lg_fill(struct lg_thread *, struct lg_conn *);
static int	lg_flush(struct lg_thread *, struct lg_conn *);
static int	lg_input(struct lg_thread *, struct lg_conn *);
static void	lg_sample(struct lg_thread *, int64_t start, int64_t now);
static void	*lg_thread_main(void *);
static int	lg_cmp_u32(const void *, const void *);
static int	lg_run(const struct lg_config *, struct lg_result *);
static void	lg_defaults(struct lg_config *, int greeting, lg_encode_fn *,
		    lg_parse_fn *);
static void	lg_option(struct lg_config *, int, const char *,
		    const char **, void (*)(void));
static void	lg_print(const char *name, const struct lg_config *,
		    const struct lg_result *);

static int64_t
lg_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Start a non-blocking connect for c and register it.  0 or -1. */
static int
lg_open(struct lg_thread *t, struct lg_conn *c)
{
	struct epoll_event	ev;
	int			one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->inflight = c->head = 0;
	c->nsent = 0;
	c->outoff = c->outlen = 0;
	c->hdr_have = c->pbuf_have = 0;
	c->left = c->expect = c->got = 0;
	c->greeted = 0;
	c->open_ns = lg_now_ns();
	c->t = t;
	t->connects++;
	if (connect(c->fd, (const struct sockaddr *)&t->cfg->addr,
	    sizeof(t->cfg->addr)) == -1 && errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->state = LG_CONNECTING;
	c->want_out = 1;
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/* Close c; open it again unless the run is over. */
static void
lg_drop(struct lg_thread *t, struct lg_conn *c, int reopen)
{
	if (c->fd != -1) {
		close(c->fd);	/* also leaves the epoll set */
		c->fd = -1;
	}
	if (reopen && lg_now_ns() < t->t_end) {
		lg_open(t, c);
	}
}

/* Queue requests until depth are in flight (one in new-conn mode). */
static int
lg_fill(struct lg_thread *t, struct lg_conn *c)
{
	const struct lg_config	*cfg = t->cfg;
	int			 depth = cfg->newconn ? 1 : cfg->depth;
	int64_t			 now = lg_now_ns();
	size_t			 n;

	while (c->inflight < depth && now < t->t_end) {
		if (cfg->newconn && c->nsent > 0) {
			break;	/* one request per connection */
		}
		if (c->outlen + 512 > sizeof(c->out)) {
			break;
		}
		n = cfg->proto.encode(c->out + c->outlen,
		    sizeof(c->out) - c->outlen, t->seq++);
		c->outlen += n;
		/* A new connection's cost counts in its request's time. */
		c->sent_ns[(c->head + c->inflight) % LG_DEPTH_MAX] =
		    cfg->newconn ? c->open_ns : now;
		c->inflight++;
		c->nsent++;
	}
	return lg_flush(t, c);
}

/* Write what is queued; watch for EPOLLOUT only while some is left. */
static int
lg_flush(struct lg_thread *t, struct lg_conn *c)
{
	struct epoll_event	ev;
	ssize_t			n;
	int			want;

	while (c->outoff < c->outlen) {
		n = bench_write_some(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff);
		if (n == -1) {
			return -1;
		}
		if (n == 0) {
			break;
		}
		c->outoff += (size_t)n;
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
	}
	want = c->outlen > 0;
	if (want != c->want_out) {
		ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
		ev.data.ptr = c;
		if (epoll_ctl(t->ep, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
			return -1;
		}
		c->want_out = want;
	}
	return 0;
}

static void
lg_sample(struct lg_thread *t, int64_t start, int64_t now)
{
	uint32_t	*p;
	int64_t		 us;

	t->ops++;
	if (t->nlat == t->caplat) {
		t->caplat = t->caplat ? t->caplat * 2 : 65536;
		p = realloc(t->lat, t->caplat * sizeof(*p));
		if (p == NULL) {
			perror("realloc");
			exit(1);
		}
		t->lat = p;
	}
	us = (now - start) / 1000;
	t->lat[t->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/*
 * Read what the server sent, account for finished replies and send more
 * requests.  Returns 0, 1 when the connection is done with (new-conn
 * mode), -1 when it failed.
 */
static int
lg_input(struct lg_thread *t, struct lg_conn *c)
{
	const struct lg_config	*cfg = t->cfg;
	ssize_t			 n, used;
	size_t			 off;
	int			 done, bad, i, finished = 0;
	int64_t			 now;

	n = read(c->fd, t->rbuf, LG_RBUF);
	if (n == -1) {
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	}
	if (n == 0) {
		return -1;
	}
	for (off = 0; off < (size_t)n; off += (size_t)used) {
		done = bad = 0;
		used = cfg->proto.parse(c, t->rbuf + off, (size_t)n - off,
		    &done, &bad);
		if (used < 0) {
			return -1;
		}
		now = lg_now_ns();
		for (i = 0; i < done; i++) {
			if (c->inflight == 0) {
				return -1;	/* a reply nobody asked for */
			}
			if (now >= t->t_measure && now < t->t_end) {
				lg_sample(t, c->sent_ns[c->head], now);
			}
			c->head = (c->head + 1) % LG_DEPTH_MAX;
			c->inflight--;
			finished = 1;
		}
		if (now >= t->t_measure && now < t->t_end) {
			t->bad += (uint64_t)bad;
		}
		if (c->state == LG_GREETING && c->greeted) {
			c->state = LG_READY;
			if (lg_fill(t, c) == -1) {
				return -1;
			}
		}
		if (used == 0 && done == 0) {
			return -1;	/* parser stuck */
		}
	}
	if (cfg->newconn) {
		return finished ? 1 : 0;
	}
	if (c->state == LG_READY && lg_fill(t, c) == -1) {
		return -1;
	}
	return 0;
}

static void *
lg_thread_main(void *arg)
{
	struct lg_thread	*t = arg;
	const struct lg_config	*cfg = t->cfg;
	struct epoll_event	 evs[64];
	struct lg_conn		*c;
	socklen_t		 len;
	int			 i, n, r, err;

	for (i = 0; i < t->nconns; i++) {
		t->conns[i].fd = -1;
		if (lg_open(t, &t->conns[i]) == -1) {
			perror("connect");
			exit(1);
		}
	}
	while (lg_now_ns() < t->t_end) {
		n = epoll_wait(t->ep, evs, 64, 50);
		if (n == -1) {
			if (errno == EINTR) {
				continue;
			}
			perror("epoll_wait");
			exit(1);
		}
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c->fd == -1) {
				continue;
			}
			if (c->state == LG_CONNECTING) {
				err = 0;
				len = sizeof(err);
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err,
				    &len);
				if (err != 0) {
					t->drops++;
					lg_drop(t, c, 1);
					continue;
				}
				if (cfg->proto.greeting) {
					c->state = LG_GREETING;
					if (lg_flush(t, c) == -1) {
						t->drops++;
						lg_drop(t, c, 1);
					}
				} else {
					c->state = LG_READY;
					if (lg_fill(t, c) == -1) {
						t->drops++;
						lg_drop(t, c, 1);
					}
				}
				continue;
			}
			r = 0;
			if (evs[i].events & EPOLLOUT) {
				r = lg_flush(t, c);
			}
			if (r == 0 && (evs[i].events & (EPOLLIN | EPOLLHUP |
			    EPOLLERR))) {
				r = lg_input(t, c);
			}
			if (r == -1) {
				t->drops++;
				lg_drop(t, c, 1);
			} else if (r == 1) {
				lg_drop(t, c, 1);
			}
		}
	}
	for (i = 0; i < t->nconns; i++) {
		lg_drop(t, &t->conns[i], 0);
	}
	return NULL;
}

static int
lg_cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Run the load described by cfg; fill *res.  0 or -1. */
static int
lg_run(const struct lg_config *cfg, struct lg_result *res)
{
	struct lg_thread	*ts;
	struct lg_conn		*conns;
	uint32_t		*all;
	size_t			 nall = 0, k;
	int64_t			 start;
	int			 i, per, extra, first = 0;

	memset(res, 0, sizeof(*res));
	ts = calloc((size_t)cfg->threads, sizeof(*ts));
	conns = calloc((size_t)cfg->conns, sizeof(*conns));
	if (ts == NULL || conns == NULL) {
		return -1;
	}
	start = lg_now_ns();
	per = cfg->conns / cfg->threads;
	extra = cfg->conns % cfg->threads;
	for (i = 0; i < cfg->threads; i++) {
		ts[i].cfg = cfg;
		ts[i].first = first;
		ts[i].nconns = per + (i < extra);
		ts[i].conns = conns + first;
		first += ts[i].nconns;
		ts[i].t_measure = start + (int64_t)(cfg->warmup * 1e9);
		ts[i].t_end = ts[i].t_measure + (int64_t)(cfg->duration * 1e9);
		ts[i].ep = epoll_create1(EPOLL_CLOEXEC);
		ts[i].rbuf = malloc(LG_RBUF);
		if (ts[i].ep == -1 || ts[i].rbuf == NULL) {
			return -1;
		}
		if (pthread_create(&ts[i].tid, NULL, lg_thread_main,
		    &ts[i]) != 0) {
			return -1;
		}
	}
	for (i = 0; i < cfg->threads; i++) {
		pthread_join(ts[i].tid, NULL);
		res->ops += ts[i].ops;
		res->bad += ts[i].bad;
		res->drops += ts[i].drops;
		res->connects += ts[i].connects;
		nall += ts[i].nlat;
	}
	res->secs = cfg->duration;
	res->ops_per_s = (double)res->ops / cfg->duration;
	all = malloc((nall ? nall : 1) * sizeof(*all));
	if (all == NULL) {
		return -1;
	}
	for (k = 0, i = 0; i < cfg->threads; i++) {
		memcpy(all + k, ts[i].lat, ts[i].nlat * sizeof(*all));
		k += ts[i].nlat;
		free(ts[i].lat);
		free(ts[i].rbuf);
		close(ts[i].ep);
	}
	if (nall > 0) {
		qsort(all, nall, sizeof(*all), lg_cmp_u32);
		res->p50_us = all[nall / 2];
		res->p90_us = all[(nall * 90) / 100];
		res->p99_us = all[(nall * 99) / 100];
		res->max_us = all[nall - 1];
	}
	free(all);
	free(conns);
	free(ts);
	return 0;
}

/* One line of key=value pairs, for people and for scripts/bench. */
/* The settings both load generators start from. */
static void
lg_defaults(struct lg_config *cfg, int greeting, lg_encode_fn *encode,
    lg_parse_fn *parse)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->conns = 32;
	cfg->depth = 1;
	cfg->threads = 1;
	cfg->duration = 5;
	cfg->warmup = 0.5;
	cfg->proto.greeting = greeting;
	cfg->proto.encode = encode;
	cfg->proto.parse = parse;
}

/*
 * The options both load generators take: -c conns, -D depth,
 * -d seconds, -n (new connection per request), -t threads, -w warmup;
 * *errstr is set on a bad value, and any other ch calls usage().  There
 * are never more threads than connections.
 */
static void
lg_option(struct lg_config *cfg, int ch, const char *arg,
    const char **errstr, void (*usage)(void))
{
	*errstr = NULL;
	switch (ch) {
	case 'c':
		cfg->conns = (int)strtonum(arg, 1, 100000, errstr);
		break;
	case 'D':
		cfg->depth = (int)strtonum(arg, 1, LG_DEPTH_MAX, errstr);
		break;
	case 'd':
		cfg->duration = atof(arg);
		*errstr = cfg->duration > 0 ? NULL : "invalid";
		break;
	case 'n':
		cfg->newconn = 1;
		break;
	case 't':
		cfg->threads = (int)strtonum(arg, 1, 256, errstr);
		break;
	case 'w':
		cfg->warmup = atof(arg);
		*errstr = cfg->warmup >= 0 ? NULL : "invalid";
		break;
	default:
		usage();
	}
	if (cfg->threads > cfg->conns) {
		cfg->threads = cfg->conns;
	}
}

static void
lg_print(const char *name, const struct lg_config *cfg,
    const struct lg_result *r)
{
	printf("%s conns=%d depth=%d newconn=%d threads=%d secs=%.2f "
	    "ops=%llu ops_per_s=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f "
	    "max_us=%.0f bad=%llu drops=%llu connects=%llu\n", name,
	    cfg->conns, cfg->newconn ? 1 : cfg->depth, cfg->newconn,
	    cfg->threads, r->secs, (unsigned long long)r->ops, r->ops_per_s,
	    r->p50_us, r->p90_us, r->p99_us, r->max_us,
	    (unsigned long long)r->bad, (unsigned long long)r->drops,
	    (unsigned long long)r->connects);
	fflush(stdout);
}

#endif /* BENCH_LOADGEN_H */
