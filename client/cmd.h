/*
 * cmd.h -- the command table of tfs: running a line or a command, and
 * what completion may ask of the table (the names, the kind of each
 * argument).  Also the state of one tfs run that commands share.
 */

#ifndef CLIENT_CMD_H
#define CLIENT_CMD_H

#include <stddef.h>

#include "rcache.h"
#include "session.h"
#include "transfer.h"

struct client {
	struct session	 sess;
	/* the command line's -r --verify --limit-rate; set by main only */
	struct xfer_opts xo;
	struct rcache	 cache;		/* listings completion reuses */
	int		 quit;		/* quit/exit was run */
	int		 interactive;	/* the shell: it may ask questions */
	int		 verbose;	/* -v: batch commands echoed */
};

/* What completion needs to know of a command's words. */
enum cmd_arg {
	CMD_ARG_NONE = 0,
	CMD_ARG_REMOTE,
	CMD_ARG_LOCAL,
	CMD_ARG_COMMAND,
};

/*
 * Run one line typed or read from a batch ("!..." runs a local shell
 * command).  Returns an exit status (exitcode.h); errors are printed.
 */
int		 cmd_run_line(struct client *cl, const char *line);
/* Run a command already split into words (one-command mode). */
int		 cmd_run(struct client *cl, int argc, char **argv);
/*
 * The shell met AUTH_REQUIRED as anonymous: ask on the terminal for a
 * user (and a password where login_password finds none) and sign in.
 * ST_OK when signed in; else a status after the message, the session
 * anonymous as before.
 */
int		 cmd_signin_ask(struct client *cl);
/* The i-th command name (for completion), NULL past the end. */
const char	*cmd_name(size_t i);
/* The kind of the positional argument argi (0-based) of command name. */
enum cmd_arg	 cmd_arg_kind(const char *name, int argi);

#endif /* CLIENT_CMD_H */
