/*
 * intr.c -- signal handling of the client.
 *
 * SIGINT never kills tfs at once: it sets a flag and writes a byte to a
 * pipe, so a transfer blocked in poll (common/xio.c watches intr_fd)
 * stops and keeps its partial file, and the shell can clear its line.
 * Only a second Ctrl-C while the first is still pending ends the process
 * (exit status 1).  The handlers do nothing else.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "intr.h"

static void	intr_on_int(int);
static void	intr_on_winch(int);

static volatile sig_atomic_t	intr_flag;
static volatile sig_atomic_t	intr_winch;
static int			intr_pipe[2] = { -1, -1 };

static void
intr_on_int(int sig)
{
	int	 save = errno;
	ssize_t	 n;

	(void)sig;
	if (intr_flag) {
		/*
		 * A second Ctrl-C before the first was acted on: something
		 * is stuck (a peer that stopped reading holds a write for
		 * its stall timeout).  Leave now; partial files stay.
		 */
		n = write(STDERR_FILENO, "\ntfs: interrupted\n", 18);
		_exit(1);
	}
	intr_flag = 1;
	/* the pipe is non-blocking: a full pipe already says enough */
	n = write(intr_pipe[1], "", 1);
	(void)n;
	errno = save;
}

static void
intr_on_winch(int sig)
{
	(void)sig;
	intr_winch = 1;
}

int
intr_init(void)
{
	struct sigaction	 sa;

	if (intr_pipe[0] != -1) {
		return 0;
	}
	if (pipe2(intr_pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocking read must come back with EINTR */
	sa.sa_handler = intr_on_int;
	if (sigaction(SIGINT, &sa, NULL) == -1) {
		return -1;
	}
	sa.sa_handler = intr_on_winch;
	if (sigaction(SIGWINCH, &sa, NULL) == -1) {
		return -1;
	}
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		return -1;
	}
	return 0;
}

int
intr_fork(void)
{
	int	 p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) == -1) {
		return -1;
	}
	/* a handler that runs in between writes to a closed fd: harmless */
	close(intr_pipe[0]);
	close(intr_pipe[1]);
	intr_pipe[0] = p[0];
	intr_pipe[1] = p[1];
	return 0;
}

int
intr_fd(void)
{
	return intr_pipe[0];
}

int
intr_pending(void)
{
	return intr_flag != 0;
}

void
intr_clear(void)
{
	char	 buf[64];

	intr_flag = 0;
	if (intr_pipe[0] == -1) {
		return;
	}
	while (read(intr_pipe[0], buf, sizeof(buf)) > 0) {
		continue;
	}
}

int
intr_winch_take(void)
{
	if (intr_winch) {
		intr_winch = 0;
		return 1;
	}
	return 0;
}

int
intr_sleep(int ms)
{
	struct pollfd	 pfd;
	int		 r;

	if (intr_flag) {
		return -1;
	}
	pfd.fd = intr_pipe[0];
	pfd.events = POLLIN;
	/* a signal other than SIGINT (SIGWINCH) only shortens the nap */
	r = poll(&pfd, intr_pipe[0] == -1 ? 0 : 1, ms);
	if (intr_flag || r > 0) {
		return -1;
	}
	return 0;
}
