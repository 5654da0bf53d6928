/*
 * testsrv.c -- the scripted server of testsrv.h.
 *
 * The child speaks through common/conn.c, as tfsd does, so a request
 * the client encodes wrongly fails here as it would there.
 */

#include <sys/socket.h>

#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "testsrv.h"
#include "testutil.h"

static void	testsrv_play(int, const struct testsrv_step *, size_t)
		    __attribute__((noreturn));

/* The child: each step's request, then its replies; then EOF. */
static void
testsrv_play(int fd, const struct testsrv_step *steps, size_t nsteps)
{
	struct conn_wait w = { 5000, 5000, -1, 0 };
	struct conn	 c;
	struct tfs_msg	 m;
	size_t		 i, k;

	if (conn_init(&c, fd, 0, 5000, -1) == -1) {
		_exit(2);
	}
	for (i = 0; i < nsteps; i++) {
		if (conn_read_msg(&c, &w, &m, NULL) != 1) {
			_exit(2);
		}
		if (m.type != steps[i].req) {
			_exit(3);
		}
		for (k = 0; k < steps[i].n; k++) {
			if (conn_send(&c, &steps[i].rep[k]) == -1) {
				_exit(2);
			}
		}
		if (conn_flush(&c) == -1) {
			_exit(2);
		}
	}
	/* the client hangs up: anything else is a request too many */
	_exit(conn_read_msg(&c, &w, &m, NULL) == 0 ? 0 : 4);
}

pid_t
testsrv_start(struct session *s, const struct testsrv_step *steps,
    size_t nsteps)
{
	pid_t	 pid;
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		return -1;
	}
	if ((pid = fork()) == 0) {
		close(sv[0]);
		testsrv_play(sv[1], steps, nsteps);
	}
	close(sv[1]);
	session_init(s, "127.0.0.1", "9");
	if (pid == -1 || conn_init(&s->conn, sv[0], 0, 5000, -1) == -1) {
		close(sv[0]);
		return -1;
	}
	s->fd = sv[0];
	s->max_payload = FRAME_MAX;
	s->quiet = 1;
	return pid;
}

int
testsrv_end(struct session *s, pid_t pid)
{
	session_drop(s);
	return tu_wait(pid);
}

/* The messages below: designated fields, every other one zero. */
struct tfs_msg
testsrv_entry(uint8_t kind, const char *name, uint64_t size)
{
	return (struct tfs_msg){
		.type = TFS_ENTRY,
		.kind = kind,
		.size = size,
		.mtime = 1700000000,
		.mode = kind == TFS_KIND_DIR ? 0755 : 0644,
		.name = tfs_str_c(name),
	};
}

struct tfs_msg
testsrv_end_count(uint64_t count)
{
	return (struct tfs_msg){ .type = TFS_END, .count = count };
}

struct tfs_msg
testsrv_error(unsigned code)
{
	return (struct tfs_msg){ .type = TFS_ERROR, .code = (uint16_t)code,
	    .text = tfs_str_c("test") };
}

struct tfs_msg
testsrv_ok(void)
{
	return (struct tfs_msg){ .type = TFS_OK };
}
