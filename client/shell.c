/*
 * shell.c -- the readline loop and the batch loop.
 *
 * readline runs in its callback mode, so the loop itself polls the
 * terminal and the Ctrl-C self-pipe: Ctrl-C at the prompt clears the
 * line, during a command it reaches the transfer (intr.c), and no signal
 * handler ever touches readline.  readline's own key reads would wait on
 * the terminal alone, so they go through shell_getc, which watches the
 * self-pipe too.  The shell never opens a socket; it runs commands
 * through the command table (cmd.c).  A command that met AUTH_REQUIRED
 * at the prompt is run once more after a sign-in.
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd.h"
#include "cmdline.h"
#include "complete.h"
#include "exitcode.h"
#include "intr.h"
#include "shell.h"

#define SHELL_HISTORY_MAX	1000

static char	*shell_history_path(void);
static void	shell_on_line(char *);
static char	*shell_prompt(struct client *);
static int	 shell_mkdirs(char *);
static void	 shell_history_load(const char *);
static void	 shell_history_save(const char *, int);
static int	 shell_read_line(struct client *, char **);
static int	 shell_getc(FILE *);
static void	 shell_line_run(struct client *, const char *);

static char	*shell_line;
static int	 shell_got;
static int	 shell_tty = -1;	/* the terminal, non-blocking */

/* Where the history lives (malloc'd), or NULL when there is no home. */
static char *
shell_history_path(void)
{
	const char	*state, *home;
	char		*p = NULL;

	state = getenv("XDG_STATE_HOME");
	if (state != NULL && state[0] == '/') {
		if (asprintf(&p, "%s/tfs/history", state) == -1) {
			return NULL;
		}
		return p;
	}
	if ((home = getenv("HOME")) == NULL || *home == '\0') {
		return NULL;
	}
	if (asprintf(&p, "%s/.local/state/tfs/history", home) == -1) {
		return NULL;
	}
	return p;
}

/* mkdir -p of the folder holding file path (private: 0700). */
static int
shell_mkdirs(char *path)
{
	char	*p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static void
shell_history_load(const char *path)
{
	stifle_history(SHELL_HISTORY_MAX);
	if (path != NULL) {
		(void)read_history(path);
	}
}

/* Add this session's n new lines, then keep the file bounded. */
static void
shell_history_save(const char *path, int n)
{
	char	*dir;

	if (path == NULL || n <= 0) {
		return;
	}
	if ((dir = strdup(path)) == NULL || shell_mkdirs(dir) == -1) {
		free(dir);
		return;
	}
	free(dir);
	if (access(path, F_OK) == 0) {
		(void)append_history(n < SHELL_HISTORY_MAX ? n :
		    SHELL_HISTORY_MAX, path);
	} else {
		(void)write_history(path);
	}
	(void)history_truncate_file(path, SHELL_HISTORY_MAX);
}

/* "tfs HOST:/dir> " */
static char *
shell_prompt(struct client *cl)
{
	char		*p = NULL;
	const char	*h = cl->sess.host;
	int		 v6 = strchr(h, ':') != NULL;

	if (asprintf(&p, "tfs %s%s%s:/%s> ", v6 ? "[" : "", h, v6 ? "]" : "",
	    cl->sess.cwd) == -1) {
		return NULL;
	}
	return p;
}

/*
 * readline's key reader.  A Ctrl-C flushes the terminal's input, so a
 * key that poll saw may be gone when readline reads it; readline's own
 * reader would then wait for the next key with the Ctrl-C unseen.  This
 * one waits on the self-pipe too, and answers a Ctrl-C with readline's
 * abort key: the key sequence or question under way is dropped, and
 * shell_read_line then clears the line.
 */
static int
shell_getc(FILE *fp)
{
	struct pollfd	 pfd[2];
	unsigned char	 c;
	ssize_t		 n;

	pfd[0].fd = shell_tty != -1 ? shell_tty : fileno(fp);
	pfd[0].events = POLLIN;
	pfd[1].fd = intr_fd();
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR) {
				continue;
			}
			return EOF;
		}
		if (pfd[1].revents & POLLIN) {
			return ABORT_CHAR;
		}
		n = read(pfd[0].fd, &c, 1);
		if (n == 1) {
			return c;
		}
		if (n == -1 && (errno == EINTR || errno == EAGAIN)) {
			continue;
		}
		return EOF;
	}
}

static void
shell_on_line(char *line)
{
	shell_line = line;
	shell_got = 1;
	/* no new prompt until the command has run */
	rl_callback_handler_remove();
}

/*
 * One line from readline's callback interface.  Returns 1 with *line
 * (NULL at end of input), watching Ctrl-C and window changes meanwhile.
 */
static int
shell_read_line(struct client *cl, char **line)
{
	struct pollfd	 pfd[2];
	char		*prompt;

	if ((prompt = shell_prompt(cl)) == NULL) {
		return -1;
	}
	shell_got = 0;
	shell_line = NULL;
	rl_callback_handler_install(prompt, shell_on_line);
	while (!shell_got) {
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = intr_fd();
		pfd[1].events = POLLIN;
		if (intr_winch_take()) {
			rl_resize_terminal();
		}
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		if (pfd[1].revents & POLLIN) {
			/* Ctrl-C at the prompt: a fresh, empty line */
			intr_clear();
			rl_replace_line("", 0);
			rl_crlf();
			rl_on_new_line();
			rl_redisplay();
			continue;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			rl_callback_read_char();
		}
	}
	if (!shell_got) {
		rl_callback_handler_remove();
	}
	free(prompt);
	*line = shell_line;
	return 1;
}

/*
 * One line at the prompt.  AUTH_REQUIRED as anonymous asks for a user
 * and a password, then runs the line once more.
 */
static void
shell_line_run(struct client *cl, const char *line)
{
	cl->sess.auth_required = 0;
	(void)cmd_run_line(cl, line);
	if (!cl->sess.auth_required || cl->sess.auth.user[0] != '\0' ||
	    cl->quit) {
		return;
	}
	cl->sess.auth_required = 0;
	intr_clear();
	if (cmd_signin_ask(cl) == ST_OK) {
		(void)cmd_run_line(cl, line);
	}
}

int
shell_run(struct client *cl)
{
	HIST_ENTRY	*last;
	enum sess_rc	 rc;
	const char	*tty;
	char		*line, *hpath;
	int		 added = 0, st = ST_OK;

	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_getc_function = shell_getc;
	/* prompts and echo are not output: stdout stays the commands' */
	rl_outstream = stderr;
	complete_init(cl);
	hpath = shell_history_path();
	shell_history_load(hpath);
	cl->interactive = 1;
	if ((rc = session_ensure(&cl->sess)) != SESS_OK) {
		warnx("%s", cl->sess.errmsg);
		free(hpath);
		return exitcode_interactive(rc);
	}
	/*
	 * shell_getc reads keys from a description of the terminal of its
	 * own, non-blocking: a key flushed away fails the read at once.
	 */
	if ((tty = ttyname(STDIN_FILENO)) != NULL) {
		shell_tty = open(tty, O_RDONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	}
	for (;;) {
		intr_clear();
		if (shell_read_line(cl, &line) == -1) {
			break;
		}
		if (line == NULL) {
			/* Ctrl-D or end of input */
			(void)fputc('\n', stderr);
			break;
		}
		if (cmdline_batch(line, &(int){ 0 }) != NULL) {
			/* no repeats of the line just before */
			last = history_length > 0 ? history_get(history_base +
			    history_length - 1) : NULL;
			if (last == NULL || strcmp(last->line, line) != 0) {
				add_history(line);
				added++;
			}
			shell_line_run(cl, line);
		}
		free(line);
		if (cl->quit) {
			break;
		}
		/* a Ctrl-C was for that command only */
		intr_clear();
		/* a connection Ctrl-C or a loss dropped: make it again now */
		if (cl->sess.fd == -1 &&
		    (rc = session_ensure(&cl->sess)) != SESS_OK) {
			warnx("%s", cl->sess.errmsg);
			st = exitcode_interactive(rc);
			break;
		}
	}
	if (shell_tty != -1) {
		(void)close(shell_tty);
		shell_tty = -1;
	}
	shell_history_save(hpath, added);
	free(hpath);
	if (!cl->quit) {
		session_quit(&cl->sess);
	}
	(void)fflush(stdout);
	return st;
}

int
shell_batch(struct client *cl, FILE *fp, const char *name)
{
	char		*line = NULL, where[PATH_MAX + 32];
	const char	*cmd;
	char		*self = program_invocation_short_name;
	size_t		 cap = 0;
	ssize_t		 n;
	unsigned long	 lineno = 0;
	int		 st = ST_OK, r, ignore, go;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n') {
			line[n - 1] = '\0';
		}
		if ((cmd = cmdline_batch(line, &ignore)) == NULL) {
			continue;
		}
		if (cl->verbose) {
			fprintf(stderr, "tfs> %s\n", cmd);
		}
		/* "FILE:LINE: get x: ..." in place of "tfs: get x: ..." */
		(void)snprintf(where, sizeof(where), "%s:%lu", name, lineno);
		program_invocation_short_name = where;
		r = cmd_run_line(cl, cmd);
		if (intr_pending()) {
			r = exitcode_merge(r, ST_FAIL);
		}
		program_invocation_short_name = self;
		go = exitcode_batch_continue(r, ignore, intr_pending()) &&
		    !cl->sess.final;
		st = exitcode_batch_merge(st, r, ignore && go,
		    intr_pending());
		if (!go || cl->quit) {
			break;
		}
	}
	if (ferror(fp)) {
		warn("reading commands");
		st = exitcode_merge(st, ST_FAIL);
	}
	free(line);
	return st;
}
