/*
 * cmdline.h -- words of a command line, options of a command, batch
 * lines, and the HOST[:PORT] argument.  Pure: no I/O.
 */

#ifndef CLIENT_CMDLINE_H
#define CLIENT_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

struct cmdline {
	int	 argc;
	char	**argv;		/* argc words, then NULL */
	char	*buf;		/* storage of the words */
	int	 open;		/* tolerant split: last word unfinished */
	size_t	 last_start;	/* offset of argv[argc-1] in the line */
};

/*
 * Split line into words.  Words are separated by blanks; '...' keeps
 * everything literally, "..." keeps everything but \" and \\, and outside
 * quotes a backslash keeps the next character.  "" is an empty word.
 * Returns 0, or -1 with *errstr set ("unterminated quote") or ENOMEM.
 */
int	cmdline_split(const char *line, struct cmdline *cl,
	    const char **errstr);
/*
 * The same for a line being typed (completion): an unterminated quote or
 * a trailing backslash is accepted, and cl->open tells whether the line
 * ends inside a word (so argc-1 is the word being typed).  0 or -1.
 */
int	cmdline_split_partial(const char *line, size_t len,
	    struct cmdline *cl);
void	cmdline_free(struct cmdline *cl);

/*
 * Options of a command: leading words "-abc" whose letters are all in
 * allowed; "--" ends them; "-" alone is an argument (stdin/stdout).
 * Sets bit (c - 'A') of *mask for each letter and *optind to the first
 * argument.  Returns 0, or -1 with *bad the offending letter.
 */
int	cmdline_opts(int argc, char **argv, const char *allowed,
	    uint64_t *mask, int *optind, char *bad);
#define CMDLINE_OPT(c)	((uint64_t)1 << ((c) - 'A'))

/* The options of one command, as cmdline_getopts found them. */
struct cmdline_optv {
	uint64_t	 mask;		/* CMDLINE_OPT bits */
	const char	*arg[64];	/* [c - 'A']: the argument of c */
};

/*
 * cmdline_opts with more: a letter followed by ':' in allowed takes an
 * argument ("-j4" or "-j 4"), and longs maps long options to letters
 * ("delete=e,dry-run=n"): "--delete", "--parallel=4" or "--parallel 4".
 * Returns 0, or -1 with the offending option in bad ("-x", "--frob", or
 * "-j" missing its argument).
 */
int	cmdline_getopts(int argc, char **argv, const char *allowed,
	    const char *longs, struct cmdline_optv *ov, int *optind,
	    char *bad, size_t badsz);

/*
 * A line of a batch: NULL for a blank or '#' line, else the command with
 * leading blanks and a leading '-' removed (*ignore set to 1 for '-').
 */
const char *cmdline_batch(const char *line, int *ignore);

/*
 * HOST, HOST:PORT, [V6]:PORT, [V6] or a bare V6 address into host and
 * port (port untouched when none is given).  Returns 0, or -1 with
 * *errstr set.
 */
int	cmdline_target(const char *arg, char *host, size_t hostsz,
	    char *port, size_t portsz, const char **errstr);
/*
 * USER@ in front of HOST: the user (up to the last '@') into user, ""
 * when there is none, and *rest at what follows.  Returns 0, or -1 with
 * *errstr set (an empty or too long user).
 */
int	cmdline_user(const char *arg, char *user, size_t usersz,
	    const char **rest, const char **errstr);
/* A port number 1..65535 in decimal: 0 or -1. */
int	cmdline_port_ok(const char *port);

#endif /* CLIENT_CMDLINE_H */
