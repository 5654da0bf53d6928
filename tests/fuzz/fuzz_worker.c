/*
 * fuzz_worker.c -- libFuzzer target for the server's request handling:
 * the input is every byte a hostile client sends on one connection.
 *
 * serve_conn() (server/serve.c), which a worker's accept loop calls
 * for each connection, serves one end of a socketpair against a small
 * temporary root: files, folders, a fifo, kept partials, links that
 * stay inside and links that lead out.  A client thread on the other
 * end writes the input, then shuts its write side down, so a session
 * ends when the bytes run out rather than on a timeout; meanwhile it
 * reads every reply, so the server never blocks on a full socket.
 *
 * Beyond the sanitizers, the run aborts when the server
 *   - sends a reply that is not a whole, well-formed S->C frame, a
 *     HELLO anywhere but first, an error code out of the table, an
 *     ENTRY for one of its own reserved names, or any frame after an
 *     ERROR that ends the connection;
 *   - changes anything in the sentinel folder beside the root (the
 *     links leading out point there), or writes in place into the file
 *     hard-linked into the root (an upload must replace, never write);
 *   - leaves its scoreboard slot marked in a request.
 * The root is laid anew for each input, so a crash replays from its
 * input alone.  Sign-in has two users, bob (rw) and carol (ro, home d):
 * an input cannot know the server's nonce, so it reaches CHALLENGE and
 * AUTH_FAILED, the exchange's order and its protocol errors, not
 * WELCOME.  Never touches anything outside its temporary folder.
 *
 * Built with FW_WALK (fuzz_worker_walk.c), resolve_select() makes
 * every path go through resolve.c's component-by-component walk, as on
 * a kernel without openat2().
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "frame.h"
#include "log.h"
#include "partial.h"
#include "path.h"
#include "proto.h"
#include "resolve.h"
#include "scoreboard.h"
#include "serve.h"
#include "space.h"
#include "users.h"
#include "xio.h"

/* Larger inputs are skipped: the session's work stays bounded. */
#define FW_MAX_INPUT	65536
/* Uploads above this get TOO_LARGE, so the disk use stays bounded. */
#define FW_MAX_FILE	65536
/* The hard-linked file: one DATA frame of FRAME_MAX bytes and a bit. */
#define FW_BIG_SIZE	(FRAME_MAX + 3)

/* The client's end of the socketpair, and what it has seen so far. */
struct fw_client {
	int		 fd;
	const uint8_t	*p;
	size_t		 n, off;
	struct frame_dec dec;
	unsigned long	 frames;
	int		 closing;	/* an ERROR that ends a session */
};

/* The files the server must never change, as they were laid. */
struct fw_sentinel {
	const char	*name;
	struct stat	 st;
};

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char			 fw_top[512];	/* the temporary folder */
static char			 fw_root[600];	/* fw_top/root: served */
static int			 fw_top_fd = -1;
static int			 fw_root_fd = -1;
static uint8_t			*fw_payload;	/* the client's decoder */
static struct sb_slot		 fw_slot;
static struct serve_args	 fw_sa;
static struct serve_shared	 fw_shared;
static struct fw_sentinel	 fw_sentinels[] = {
	{ ".", { 0 } },			/* through "dotdot" */
	{ "outside", { 0 } },
	{ "outside/secret", { 0 } },
	{ "big", { 0 } },
};

static void	 fw_fail(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	 fw_cleanup(void);
static void	 fw_walk(void);
static void	 fw_users(void);
static int	 fw_rmtree(int);
static void	 fw_file(int, const char *, const void *, size_t);
static void	 fw_lay_root(void);
static void	 fw_check_sentinels(void);
static void	 fw_check_reply(struct fw_client *);
static void	 fw_take(struct fw_client *, const uint8_t *, size_t);
static void	*fw_client_run(void *);

static void
fw_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("fuzz_worker: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* The walk resolves every path: a no-op unless built with FW_WALK. */
static void
fw_walk(void)
{
#ifdef FW_WALK
	resolve_select(RESOLVE_BY_WALK);
#endif
}

/* The users of the sign-in, in a file beside the root. */
static void
fw_users(void)
{
	char	 path[sizeof(fw_top) + 16], err[256];

	(void)snprintf(path, sizeof(path), "%s/users", fw_top);
	if (users_set(path, "bob", "bob-fuzz", TFS_RIGHT_READ |
	    TFS_RIGHT_WRITE, NULL, err, sizeof(err)) == -1 ||
	    users_set(path, "carol", "carol-fuzz", TFS_RIGHT_READ, "d", err,
	    sizeof(err)) == -1 ||
	    (fw_shared.users = users_load(path, err, sizeof(err))) == NULL) {
		fw_fail("users: %s", err);
	}
	auth_secret_make(fw_shared.secret);
	if ((fw_shared.space = space_create(1)) == NULL) {
		fw_fail("space: %s", strerror(errno));
	}
}

/* libFuzzer ends with exit(): leave no temporary folder behind. */
static void
fw_cleanup(void)
{
	int	 fd;

	fd = open(fw_top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1) {
		(void)fw_rmtree(fd);
	}
	(void)rmdir(fw_top);
}

/*
 * Empty the folder dirfd (closed here), never following a link.
 * 0, or -1 if something stayed.
 */
static int
fw_rmtree(int dirfd)
{
	struct dirent	*de;
	DIR		*d;
	int		 sub, ret = 0;

	if ((d = fdopendir(dirfd)) == NULL) {
		close(dirfd);
		return -1;
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
		if (sub == -1 || fw_rmtree(sub) == -1 ||
		    unlinkat(dirfd, de->d_name, AT_REMOVEDIR) == -1) {
			ret = -1;
		}
	}
	closedir(d);
	return ret;
}

static void
fw_file(int dirfd, const char *name, const void *p, size_t n)
{
	int	 fd;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (fd == -1 || write(fd, p, n) != (ssize_t)n) {
		fw_fail("create %s: %s", name, strerror(errno));
	}
	close(fd);
}

/*
 * The links of the tree: "%R" in a target stands for the root's path,
 * "%T" for the temporary folder's.  Every way out ends in the sentinels.
 */
static const struct fw_link {
	const char	*name;
	const char	*target;
} fw_links[] = {
	/* inside the root: followed */
	{ "in", "a" },
	{ "chain", "in" },
	{ "dirlink", "d" },
	{ "winding", "d/sub/../../d/./b" },
	{ "d/up", "../a" },
	{ "d/self", "." },
	{ "abs", "%R/d" },
	{ "absroot", "%R" },
	{ "abstrail", "%R/d/" },
	{ "absdots", "%R/d/../a" },
	/* out of the root: refused */
	{ "out", "%T/outside" },
	{ "up", "../outside" },
	{ "dotdot", ".." },
	{ "d/esc", "../../outside/secret" },
	{ "absesc", "%R/../outside" },
	{ "rootx", "%Rx" },
	/* nowhere */
	{ "loop", "loop" },
	{ "gone", "nowhere" },
};

/*
 * The same tree for every input.  Besides the links above, these names
 * (the seeds use them):
 *   a (12 bytes)  empty  big (hard link)  .hidden  fifo  "ctl\001"
 *   d/  d/b  d/sub/  d/sub/c  e/
 * and kept partials: of "a" (5 of 20 bytes, for RESUME), an expired one
 * in d/ (LIST removes it), one in e/ (DELETE e must not mind it).
 */
static void
fw_lay_root(void)
{
	static const char	 body[] = "hello, fuzz\n";
	struct timespec		 old[2] = { { 0, 0 }, { 0, 0 } };
	const struct fw_link	*l;
	const char		*t;
	char			 target[sizeof(fw_root) + 32];
	size_t			 i;
	int			 dfd, fd;

	if ((dfd = openat(fw_top_fd, "root", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || fw_rmtree(dfd) == -1) {
		fw_fail("cannot empty %s", fw_root);
	}
	dfd = fw_root_fd;
	fw_file(dfd, "a", body, sizeof(body) - 1);
	fw_file(dfd, "empty", "", 0);
	fw_file(dfd, ".hidden", body, 5);
	fw_file(dfd, "ctl\001", body, 5);	/* never listed */
	if (linkat(fw_top_fd, "big", dfd, "big", 0) == -1 ||
	    mkfifoat(dfd, "fifo", 0644) == -1 ||
	    mkdirat(dfd, "d", 0755) == -1 ||
	    mkdirat(dfd, "d/sub", 0755) == -1 ||
	    mkdirat(dfd, "e", 0755) == -1) {
		fw_fail("lay the root: %s", strerror(errno));
	}
	fw_file(dfd, "d/b", body, 5);
	fw_file(dfd, "d/sub/c", body, 1);
	for (i = 0; i < sizeof(fw_links) / sizeof(fw_links[0]); i++) {
		l = &fw_links[i];
		t = l->target;
		if (strncmp(t, "%R", 2) == 0 || strncmp(t, "%T", 2) == 0) {
			(void)snprintf(target, sizeof(target), "%s%s",
			    t[1] == 'R' ? fw_root : fw_top, t + 2);
			t = target;
		}
		if (symlinkat(t, dfd, l->name) == -1) {
			fw_fail("link %s: %s", l->name, strerror(errno));
		}
	}

	/* kept partials; without user xattrs they just never resume */
	fw_file(dfd, PATH_RESERVED "part-a", "01234", 5);
	if ((fd = openat(dfd, PATH_RESERVED "part-a", O_RDONLY |
	    O_CLOEXEC)) != -1) {
		(void)fsetxattr(fd, "user.tfs.size", "20", 2, 0);
		close(fd);
	}
	fw_file(dfd, "d/" PATH_RESERVED "part-old", body, 3);
	(void)utimensat(dfd, "d/" PATH_RESERVED "part-old", old, 0);
	fw_file(dfd, "e/" PATH_RESERVED "part-x", body, 3);
}

/* Nothing outside the root changed, and big was never written. */
static void
fw_check_sentinels(void)
{
	struct fw_sentinel	*s;
	struct stat		 st;
	size_t			 i;

	for (i = 0; i < sizeof(fw_sentinels) / sizeof(fw_sentinels[0]);
	    i++) {
		s = &fw_sentinels[i];
		if (fstatat(fw_top_fd, s->name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1) {
			fw_fail("%s: %s", s->name, strerror(errno));
		}
		if (st.st_ino != s->st.st_ino || st.st_size != s->st.st_size ||
		    st.st_mtim.tv_sec != s->st.st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != s->st.st_mtim.tv_nsec) {
			fw_fail("%s was changed", s->name);
		}
	}
}

/* One whole reply frame, in c->dec: does it keep PROTOCOL.md? */
static void
fw_check_reply(struct fw_client *c)
{
	struct tfs_msg	 m;
	enum proto_err	 e;
	uint8_t		 t = c->dec.type;

	if (c->closing) {
		fw_fail("reply 0x%02x after a closing ERROR", t);
	}
	if ((c->frames++ == 0) != (t == TFS_HELLO)) {
		fw_fail("HELLO is not the first frame (0x%02x)", t);
	}
	if (tfs_type_is_request(t) || !tfs_type_known(t)) {
		fw_fail("reply of type 0x%02x", t);
	}
	if ((e = proto_decode(t, c->dec.buf, c->dec.len, &m)) != PROTO_OK) {
		fw_fail("reply %s does not decode: %s", tfs_type_name(t),
		    proto_strerror(e));
	}
	switch (t) {
	case TFS_HELLO:
		if (m.version != TFS_VERSION || m.max_payload != FRAME_MAX) {
			fw_fail("HELLO %u %u", m.version, m.max_payload);
		}
		break;
	case TFS_ENTRY:
		if (m.kind != TFS_KIND_FILE && m.kind != TFS_KIND_DIR) {
			fw_fail("ENTRY of kind 0x%02x", m.kind);
		}
		if (m.name.len >= sizeof(PATH_RESERVED) - 1 &&
		    memcmp(m.name.p, PATH_RESERVED,
		    sizeof(PATH_RESERVED) - 1) == 0) {
			fw_fail("ENTRY of a reserved name");
		}
		if (memchr(m.name.p, '/', m.name.len) != NULL) {
			fw_fail("ENTRY name with a slash");
		}
		break;
	case TFS_DIGEST:
		if (m.algo.len != 6 || memcmp(m.algo.p, "sha256", 6) != 0 ||
		    m.digest.len != TFS_SHA256_LEN) {
			fw_fail("DIGEST is not a SHA-256");
		}
		break;
	case TFS_ERROR:
		if (m.code < 1 || m.code > TFS_ERR_MAX) {
			fw_fail("ERROR code %u", m.code);
		}
		c->closing = m.code == TFS_EPROTOCOL ||
		    m.code == TFS_ETIMEOUT || m.code == TFS_ESHUTTING_DOWN;
		break;
	default:
		break;
	}
}

/* Reply bytes just read: split them into frames and check each. */
static void
fw_take(struct fw_client *c, const uint8_t *p, size_t n)
{
	ssize_t	 k;

	while (n > 0) {
		if ((k = frame_dec_feed(&c->dec, p, n)) == -1) {
			fw_fail("reply stream: %s",
			    frame_strerror(c->dec.err));
		}
		p += k;
		n -= (size_t)k;
		if (c->dec.ready) {
			fw_check_reply(c);
			frame_dec_next(&c->dec);
		}
	}
}

/*
 * The client: write the input, then end the stream as a client that
 * has said all it had to; read and check every reply until the server
 * closes.  A server that stops reading early (PROTOCOL, QUIT) makes the
 * writes fail: the rest of the input is dropped.
 */
static void *
fw_client_run(void *arg)
{
	struct fw_client	*c = arg;
	struct pollfd		 pfd;
	static uint8_t		 buf[65536];
	ssize_t			 k;
	int			 writing = 1;

	for (;;) {
		if (writing && c->off == c->n) {
			(void)shutdown(c->fd, SHUT_WR);
			writing = 0;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN | (writing ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR) {
				continue;
			}
			fw_fail("poll: %s", strerror(errno));
		}
		if (writing && (pfd.revents & (POLLOUT | POLLERR))) {
			k = send(c->fd, c->p + c->off, c->n - c->off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (k > 0) {
				c->off += (size_t)k;
			} else if (errno != EAGAIN && errno != EINTR) {
				writing = 0;	/* the server closed */
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			k = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (k > 0) {
				fw_take(c, buf, (size_t)k);
			} else if (k == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				/* end, or reset: input was left unread */
				break;
			}
		}
	}
	if (frame_dec_eof(&c->dec) == -1) {
		fw_fail("the server cut a reply frame short");
	}
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* room for the titles: the worker writes them here */
	static char	 arg0[] = "fuzz_worker                              "
			    "                                         ";
	static char	*fake_argv[] = { arg0, NULL };
	static char	*fake_env[] = { NULL };
	static uint8_t	 chunk[65536];
	const char	*tmp = getenv("TMPDIR");
	char		 real[sizeof(fw_top)];
	size_t		 i, done;
	int		 fd;

	(void)argc;
	(void)argv;
	config_defaults(&cfg);
	cfg.fsync = 0;
	/*
	 * The input is all there at once, so nothing waits: the timeouts
	 * only guard against a hang, and are long enough that a loaded
	 * machine never cuts a reply (which would look like a bug).
	 */
	cfg.idle_timeout = 5;
	cfg.stall_timeout = 5;
	cfg.max_file_size = FW_MAX_FILE;
	log_init(LOG_TO_STDERR, LOG_LVL_QUIET, "fuzz_worker", NULL);
	setproctitle_init(1, fake_argv, fake_env);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * The tree is laid anew for every input: in memory that is three
	 * times faster than on a disk file system, where allocating inodes
	 * costs most of the run.
	 */
	if (tmp == NULL || *tmp == '\0') {
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" :
		    "/tmp";
	}
	if (snprintf(fw_top, sizeof(fw_top), "%s/tfs-fuzz-worker.XXXXXX",
	    tmp) >= (int)sizeof(fw_top) || mkdtemp(fw_top) == NULL) {
		fw_fail("mkdtemp: %s", strerror(errno));
	}
	atexit(fw_cleanup);
	/* resolve.c compares link targets with the root's path: real */
	if (realpath(fw_top, real) == NULL ||
	    strlcpy(fw_top, real, sizeof(fw_top)) >= sizeof(fw_top)) {
		fw_fail("realpath %s", fw_top);
	}
	(void)snprintf(fw_root, sizeof(fw_root), "%s/root", fw_top);
	if ((fw_top_fd = open(fw_top, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || mkdirat(fw_top_fd, "root", 0755) == -1 ||
	    mkdirat(fw_top_fd, "outside", 0755) == -1 ||
	    (fw_root_fd = open(fw_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		fw_fail("%s: %s", fw_top, strerror(errno));
	}
	fw_file(fw_top_fd, "outside/secret", "secret\n", 7);
	fw_users();
	memset(chunk, 'z', sizeof(chunk));
	if ((fd = openat(fw_top_fd, "big", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) == -1) {
		fw_fail("big: %s", strerror(errno));
	}
	for (done = 0; done < FW_BIG_SIZE; done += i) {
		i = FW_BIG_SIZE - done < sizeof(chunk) ?
		    FW_BIG_SIZE - done : sizeof(chunk);
		if (write(fd, chunk, i) != (ssize_t)i) {
			fw_fail("big: %s", strerror(errno));
		}
	}
	close(fd);
	for (i = 0; i < sizeof(fw_sentinels) / sizeof(fw_sentinels[0]);
	    i++) {
		if (fstatat(fw_top_fd, fw_sentinels[i].name,
		    &fw_sentinels[i].st, AT_SYMLINK_NOFOLLOW) == -1) {
			fw_fail("%s: %s", fw_sentinels[i].name,
			    strerror(errno));
		}
	}
	if ((fw_payload = malloc(FRAME_MAX)) == NULL) {
		fw_fail("out of memory");
	}
	fw_walk();
	/* no stop comes: only the session's own timeouts end a wait */
	fw_sa.shared = &fw_shared;
	fw_sa.root.fd = fw_root_fd;
	fw_sa.root.path = fw_root;
	fw_sa.slot = &fw_slot;
	fw_sa.slot_id = 0;
	fw_sa.wake_fd = -1;
	fw_sa.told = NULL;
	fw_sa.between = NULL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_client	 c;
	pthread_t		 client;
	int			 sv[2];

	if (size > FW_MAX_INPUT) {
		return 0;
	}
	fw_lay_root();
	/* the server's end non-blocking, as a worker accepts it */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    xio_set_nonblock(sv[0], 1) == -1) {
		fw_fail("socketpair: %s", strerror(errno));
	}
	memset(&c, 0, sizeof(c));
	c.fd = sv[1];
	c.p = data;
	c.n = size;
	frame_dec_init(&c.dec, fw_payload, FRAME_MAX);
	if ((errno = pthread_create(&client, NULL, fw_client_run, &c)) != 0) {
		fw_fail("pthread_create: %s", strerror(errno));
	}
	memset(&fw_slot, 0, sizeof(fw_slot));
	serve_conn(&fw_sa, sv[0], "fuzz:1", NULL);	/* closes sv[0] */
	pthread_join(client, NULL);
	close(sv[1]);
	if (fw_slot.in_request) {
		fw_fail("the slot stayed in a request");
	}
	fw_check_sentinels();
	return 0;
}
