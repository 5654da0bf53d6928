/*
 * commands.h -- the command table of tfs and the client state the
 * commands share: the session (with the remote working folder), the
 * transfer options given on the command line, and the listing of a
 * remote folder that completion reuses.
 */

#ifndef CLIENT_COMMANDS_H
#define CLIENT_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "transfer.h"

struct client {
	struct session	 sess;
	struct xfer_opts xo;		/* -q -r --verify --limit-rate */
	int		 interactive;
	int		 quit;		/* quit/exit was run */
};

/* One entry of a remote folder. */
struct rent {
	char		*name;
	uint64_t	 size;
	int64_t		 mtime;
	uint32_t	 mode;
	uint8_t		 kind;		/* TFS_KIND_FILE or TFS_KIND_DIR */
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
/* The i-th command name (for completion), NULL past the end. */
const char	*cmd_name(size_t i);
/* The kind of the positional argument argi (0-based) of command name. */
enum cmd_arg	 cmd_arg_kind(const char *name, int argi);
/*
 * LIST of remote folder path (wire form) into *ents (sorted as the server
 * sent them).  Names are checked: an entry whose name could not be a
 * single path component ("../x", "a/b", control bytes) is left out, so
 * it is never shown nor used as a local file name.  A session result.
 */
enum sess_rc	 cmd_list(struct session *s, const char *path,
		    struct rent **ents, size_t *n);
void		 cmd_list_free(struct rent *ents, size_t n);
/* 1 when a name from the server is one safe path component. */
int		 cmd_name_ok(const uint8_t *p, size_t len);

#endif /* CLIENT_COMMANDS_H */
