/*
 * pingpong.c -- the request/response ceiling of this machine: a minimal
 * server answering each fixed-size request (default 32 bytes) with a
 * fixed-size reply (default 4 KiB), and the load engine of loadgen.h
 * driving C persistent connections against it over loopback.
 *
 * The server is forked from the same program (epoll with one thread per
 * core, or one thread per connection with -m thread); nothing is parsed,
 * so whatever a real server reaches is measured against the cost of the
 * system calls and the scheduling alone.  Talks to 127.0.0.1 only.
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "loadgen.h"

#define PP_SRV_BATCH	16	/* replies written per write(2) */

struct pp_sconn {
	int		 fd;
	size_t		 inb;		/* bytes of an unfinished request */
	uint64_t	 owe;		/* reply bytes not yet written */
	int		 want_out;
};

static size_t	 req_size = 32;
static size_t	 resp_size = 4096;
static uint8_t	*resp_buf;
static size_t	 resp_buf_len;
static int	 listen_fd = -1;

static lg_encode_fn	 pp_encode;
static lg_parse_fn	 pp_parse;
static int	 pp_owe_flush(int ep, struct pp_sconn *);
static void	*pp_epoll_main(void *);
static void	*pp_conn_main(void *);
static void	 pp_serve(const char *mode, int nthreads);
static void	 usage(void);

static size_t
pp_encode(uint8_t *buf, size_t cap, uint64_t seq)
{
	(void)seq;
	if (cap < req_size) {
		return 0;
	}
	memset(buf, 'q', req_size);
	return req_size;
}

/* A reply is resp_size bytes; c->left counts what is due of the current. */
static ssize_t
pp_parse(struct lg_conn *c, const uint8_t *p, size_t n, int *done, int *bad)
{
	size_t	used = 0, k;

	(void)p;
	(void)bad;
	while (used < n) {
		if (c->left == 0) {
			c->left = resp_size;
		}
		k = n - used < c->left ? n - used : (size_t)c->left;
		c->left -= k;
		used += k;
		if (c->left == 0) {
			(*done)++;
		}
	}
	return (ssize_t)used;
}

/* Write what sc owes; wait for EPOLLOUT while the socket is full. */
static int
pp_owe_flush(int ep, struct pp_sconn *sc)
{
	struct epoll_event	ev;
	ssize_t			n;
	size_t			k;
	int			want;

	while (sc->owe > 0) {
		k = sc->owe < resp_buf_len ? (size_t)sc->owe : resp_buf_len;
		if ((n = bench_write_some(sc->fd, resp_buf, k)) == -1) {
			return -1;
		}
		if (n == 0) {
			break;
		}
		sc->owe -= (uint64_t)n;
	}
	want = sc->owe > 0;
	if (want != sc->want_out) {
		ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
		ev.data.ptr = sc;
		if (epoll_ctl(ep, EPOLL_CTL_MOD, sc->fd, &ev) == -1) {
			return -1;
		}
		sc->want_out = want;
	}
	return 0;
}

/* One epoll loop; the threads share the listener (EPOLLEXCLUSIVE). */
static void *
pp_epoll_main(void *arg)
{
	struct epoll_event	 ev, evs[64];
	struct pp_sconn		*sc, lsc;
	uint8_t			 buf[65536];
	ssize_t			 n;
	int			 ep, i, nev, fd, one = 1;

	(void)arg;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		err(1, "epoll_create1");
	}
	memset(&lsc, 0, sizeof(lsc));
	lsc.fd = listen_fd;
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &lsc;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) == -1) {
		err(1, "epoll_ctl");
	}
	for (;;) {
		nev = epoll_wait(ep, evs, 64, -1);
		if (nev == -1) {
			if (errno == EINTR) {
				continue;
			}
			err(1, "epoll_wait");
		}
		for (i = 0; i < nev; i++) {
			sc = evs[i].data.ptr;
			if (sc == &lsc) {
				fd = accept4(listen_fd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd == -1) {
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				if ((sc = calloc(1, sizeof(*sc))) == NULL) {
					err(1, "calloc");
				}
				sc->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = sc;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ==
				    -1) {
					err(1, "epoll_ctl");
				}
				continue;
			}
			if (evs[i].events & EPOLLIN) {
				n = read(sc->fd, buf, sizeof(buf));
				if (n == -1 && (errno == EAGAIN ||
				    errno == EINTR)) {
					continue;
				}
				if (n <= 0) {
					goto drop;
				}
				sc->inb += (size_t)n;
				sc->owe += (uint64_t)(sc->inb / req_size) *
				    resp_size;
				sc->inb %= req_size;
			}
			if (pp_owe_flush(ep, sc) == -1) {
				goto drop;
			}
			continue;
drop:
			close(sc->fd);
			free(sc);
		}
	}
	return NULL;
}

/* Thread-per-connection server: blocking reads and writes. */
static void *
pp_conn_main(void *arg)
{
	struct pp_sconn	 sc;
	uint8_t		 buf[65536];
	ssize_t		 n;
	size_t		 k;

	memset(&sc, 0, sizeof(sc));
	sc.fd = (int)(intptr_t)arg;
	for (;;) {
		n = read(sc.fd, buf, sizeof(buf));
		if (n <= 0) {
			break;
		}
		sc.inb += (size_t)n;
		sc.owe += (uint64_t)(sc.inb / req_size) * resp_size;
		sc.inb %= req_size;
		while (sc.owe > 0) {
			k = sc.owe < resp_buf_len ? (size_t)sc.owe :
			    resp_buf_len;
			n = write(sc.fd, resp_buf, k);
			if (n <= 0) {
				goto out;
			}
			sc.owe -= (uint64_t)n;
		}
	}
out:
	close(sc.fd);
	return NULL;
}

static void
pp_serve(const char *mode, int nthreads)
{
	pthread_attr_t	 attr;
	pthread_t	 tid;
	int		 i, fd, one = 1;

	resp_buf_len = resp_size * PP_SRV_BATCH;
	if ((resp_buf = malloc(resp_buf_len)) == NULL) {
		err(1, "malloc");
	}
	memset(resp_buf, 'r', resp_buf_len);
	if (strcmp(mode, "thread") == 0) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		for (;;) {
			fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd == -1) {
				continue;
			}
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
			if (pthread_create(&tid, &attr, pp_conn_main,
			    (void *)(intptr_t)fd) != 0) {
				close(fd);
			}
		}
	}
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&tid, NULL, pp_epoll_main, NULL) != 0) {
			err(1, "pthread_create");
		}
	}
	pp_epoll_main(NULL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: pingpong [-n] [-c conns] [-D depth] "
	    "[-d seconds] [-w warmup]\n"
	    "                [-q req_bytes] [-r reply_bytes] [-t threads] "
	    "[-T server_threads]\n"
	    "                [-m epoll|thread]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct lg_config	 cfg;
	struct lg_result	 res;
	struct sockaddr_in	 sin;
	const char		*mode = "epoll", *errstr;
	pid_t			 pid;
	long			 ncpu;
	int			 ch, sthreads;
	char			 name[64];

	lg_defaults(&cfg, 0, pp_encode, pp_parse);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	sthreads = ncpu > 0 ? (int)ncpu : 1;
	while ((ch = getopt(argc, argv, "c:D:d:m:nq:r:T:t:w:")) != -1) {
		switch (ch) {
		case 'm':
			mode = optarg;
			errstr = strcmp(mode, "epoll") == 0 ||
			    strcmp(mode, "thread") == 0 ? NULL : "invalid";
			break;
		case 'q':
			req_size = (size_t)strtonum(optarg, 1, 4096, &errstr);
			break;
		case 'r':
			resp_size = (size_t)strtonum(optarg, 1, 1 << 20,
			    &errstr);
			break;
		case 'T':
			sthreads = (int)strtonum(optarg, 1, 256, &errstr);
			break;
		default:
			lg_option(&cfg, ch, optarg, &errstr, usage);
			break;
		}
		bench_optarg(ch, errstr);
	}
	if (argc != optind) {
		usage();
	}

	listen_fd = bench_listen(1024, &sin);
	cfg.addr = sin;

	switch (pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		signal(SIGPIPE, SIG_IGN);
		pp_serve(mode, sthreads);
		_exit(0);
	}
	close(listen_fd);
	signal(SIGPIPE, SIG_IGN);
	if (lg_run(&cfg, &res) == -1) {
		kill(pid, SIGKILL);
		err(1, "load");
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	snprintf(name, sizeof(name), "pingpong-%s", mode);
	lg_print(name, &cfg, &res);
	return 0;
}
