/*
 * fuzz_worker.c -- libFuzzer target for the server's request handling:
 * the input is everything a hostile client sends on one connection.
 *
 * It goes through a socketpair into the same steps as a worker's
 * session (server/worker.c): frames read with conn_read_frame, unknown
 * types answered UNSUPPORTED, replies-only types and payloads that do
 * not decode answered PROTOCOL and the session ended, every request
 * handed to ops_dispatch() against a small temporary root (files, a
 * folder, links inside and out of the root, a fifo).  A thread drains
 * the replies so no reply can block.  The root is laid anew for each
 * input, so a crash replays from its input alone.
 *
 * worker_serve() itself is static and owns a listening socket, a
 * scoreboard slot and signals; this mirrors its dispatch loop, and is
 * to call it directly once it is reachable from outside.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "frame.h"
#include "log.h"
#include "ops.h"
#include "proto.h"

#define FW_MAX_REQUESTS	512	/* per input: bounded work */
#define FW_STALL_MS	200	/* the input is all there: no real stall */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 fw_root[4096];
static int	 fw_ready;

static void	 fw_init(void);
static void	 fw_cleanup(void);
static void	 fw_rmtree(int dirfd);
static void	 fw_lay_root(void);
static void	*fw_feed(void *);
static void	*fw_drain(void *);
static void	 fw_session(int fd, int root_fd);

struct fw_feed {
	int		 fd;
	const uint8_t	*p;
	size_t		 n;
};

static void
fw_init(void)
{
	char	*tmpl;

	config_defaults(&cfg);
	cfg.fsync = 0;
	cfg.stall_timeout = 1;
	cfg.idle_timeout = 1;
	cfg.max_file_size = 1 << 20;	/* some PUTs hit TOO_LARGE */
	log_init(LOG_TO_STDERR, LOG_LVL_QUIET, "fuzz_worker", NULL);
	signal(SIGPIPE, SIG_IGN);
	tmpl = getenv("TMPDIR");
	if (snprintf(fw_root, sizeof(fw_root), "%s/tfs-fuzz-root.XXXXXX",
	    tmpl != NULL ? tmpl : "/tmp") >= (int)sizeof(fw_root) ||
	    mkdtemp(fw_root) == NULL) {
		perror("mkdtemp");
		abort();
	}
	if (strlcpy(cfg.root, fw_root, sizeof(cfg.root)) >=
	    sizeof(cfg.root)) {
		abort();
	}
	atexit(fw_cleanup);
	fw_ready = 1;
}

/* libFuzzer ends with exit(): leave no temporary root behind. */
static void
fw_cleanup(void)
{
	int	 dfd;

	if ((dfd = open(fw_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fw_rmtree(dfd);
	}
	(void)rmdir(fw_root);
}

/* Empty the folder dirfd (closes it). */
static void
fw_rmtree(int dirfd)
{
	struct dirent	*de;
	DIR		*d;
	int		 sub;

	if ((d = fdopendir(dirfd)) == NULL) {
		close(dirfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (unlinkat(dirfd, de->d_name, 0) == 0) {
			continue;
		}
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub != -1) {
			fw_rmtree(sub);
			(void)unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

/* The same small tree for every input. */
static void
fw_lay_root(void)
{
	static const char	 body[] = "hello, fuzz\n";
	int			 dfd, fd;

	if ((dfd = open(fw_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		abort();
	}
	fw_rmtree(dfd);
	if ((dfd = open(fw_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		abort();
	}
	if ((fd = openat(dfd, "a", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) != -1) {
		(void)write(fd, body, sizeof(body) - 1);
		close(fd);
	}
	(void)mkdirat(dfd, "d", 0755);
	if ((fd = openat(dfd, "d/b", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) != -1) {
		(void)write(fd, body, 5);
		close(fd);
	}
	(void)mkdirat(dfd, "e", 0755);
	(void)symlinkat("a", dfd, "in");
	(void)symlinkat("../a", dfd, "d/up");
	(void)symlinkat("/etc", dfd, "out");
	(void)symlinkat("..", dfd, "dotdot");
	(void)mkfifoat(dfd, "fifo", 0644);
	close(dfd);
}

/* Write the input, then end the stream as a client that went away. */
static void *
fw_feed(void *arg)
{
	struct fw_feed	*f = arg;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < f->n) {
		n = write(f->fd, f->p + off, f->n - off);
		if (n <= 0) {
			break;	/* the session ended early */
		}
		off += (size_t)n;
	}
	(void)shutdown(f->fd, SHUT_WR);
	return NULL;
}

/* Read and drop every reply until the session closes its end. */
static void *
fw_drain(void *arg)
{
	struct fw_feed	*f = arg;
	char		 sink[65536];

	while (read(f->fd, sink, sizeof(sink)) > 0) {
		continue;
	}
	return NULL;
}

/* worker_serve()'s loop, less the scoreboard, signals and log lines. */
static void
fw_session(int fd, int root_fd)
{
	struct conn		 c;
	struct conn_frame	 f;
	struct ops_req		*r;
	struct tfs_msg		 m;
	int			 i, n;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		return;
	}
	if (conn_init(&c, fd, FRAME_MAX, FW_STALL_MS) == -1) {
		free(r);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = TFS_HELLO;
	m.version = TFS_VERSION;
	m.max_payload = FRAME_MAX;
	m.name = tfs_str_c("tfsd/fuzz");
	(void)conn_send(&c, &m);
	for (i = 0; i < FW_MAX_REQUESTS; i++) {
		if (conn_flush(&c) == -1) {
			break;
		}
		n = conn_read_frame(&c, FW_STALL_MS, &f);
		if (n <= 0) {
			if (n == -1 && errno == EPROTO) {
				(void)conn_send_error(&c, TFS_EPROTOCOL, "%s",
				    frame_strerror(c.dec.err));
			}
			break;
		}
		if (!tfs_type_known(f.type)) {
			(void)conn_send_error(&c, TFS_EUNSUPPORTED,
			    "unknown request type 0x%02x", f.type);
			continue;
		}
		if (!tfs_type_is_request(f.type) ||
		    proto_decode(f.type, f.payload, f.len, &m) != PROTO_OK) {
			(void)conn_send_error(&c, TFS_EPROTOCOL, "bad frame");
			break;
		}
		memset(r, 0, sizeof(*r));
		r->conn = &c;
		r->root_fd = root_fd;
		ops_dispatch(r, &m);
		if (r->close) {
			break;
		}
	}
	(void)conn_flush(&c);
	conn_free(&c);
	free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_feed	 feed;
	pthread_t	 feeder, drainer;
	int		 sv[2], root_fd;

	if (!fw_ready) {
		fw_init();
	}
	fw_lay_root();
	if ((root_fd = open(fw_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		abort();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		abort();
	}
	/* The client's side: one thread writes the input, one reads. */
	feed.fd = sv[1];
	feed.p = data;
	feed.n = size;
	if (pthread_create(&feeder, NULL, fw_feed, &feed) != 0 ||
	    pthread_create(&drainer, NULL, fw_drain, &feed) != 0) {
		abort();
	}
	fw_session(sv[0], root_fd);
	close(sv[0]);		/* the drainer sees the end */
	pthread_join(feeder, NULL);
	pthread_join(drainer, NULL);
	close(sv[1]);
	close(root_fd);
	return 0;
}
