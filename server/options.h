/*
 * options.h -- tfsd's options: one table that the command line, the
 * configuration file (tfsd.conf(5)) and --help all read.
 */

#ifndef SERVER_OPTIONS_H
#define SERVER_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define OPTIONS_MAX	64		/* rows the table may grow to */

/* Which options were given (bit i: row i of the table). */
struct optset {
	uint64_t	 bits;
};

/* What the command line asks besides serving; never from a file. */
struct tfsd_cmd {
	const char	*config;	/* -c FILE */
	int		 test;		/* -t */
	const char	*signame;	/* -s NAME */
	int		 json;		/* -s status --json */
	const char	*set_user;	/* --set-user NAME */
	const char	*del_user;	/* --del-user NAME */
	int		 list_users;	/* --list-users */
	int		 rights;	/* --rights: TFS_RIGHT_*, -1 unset */
	const char	*home;		/* --home DIR, NULL unset */
	int		 help;		/* -h */
	int		 version;	/* -V */
};

/*
 * Read argv into c (on top of what it holds) and cmd, and the options
 * given into *given.  0, or -1 with a message for "tfsd: MESSAGE (see
 * tfsd -h)" in err (bad usage, exit 2).
 */
int	options_argv(int argc, char **argv, struct tfsd_config *c,
	    struct tfsd_cmd *cmd, struct optset *given, char *err,
	    size_t errsz);
/*
 * Read configuration file path into c: every option but those in skip
 * (the command line's, which win).  Strings are copied and owned by c
 * (config_free).  0, or -1 with "FILE:LINE: message" in err.
 */
int	options_file(const char *path, struct tfsd_config *c,
	    const struct optset *skip, char *err, size_t errsz);
/* Options that only make sense together.  0, or -1 with err. */
int	options_check(const struct tfsd_config *c, const struct tfsd_cmd *cmd,
	    char *err, size_t errsz);
/*
 * Copy into dst every option given (in given) from src, which holds
 * the command line's values: the command line wins over a file read
 * again on HUP.
 */
void	options_overlay(struct tfsd_config *dst,
	    const struct tfsd_config *src, const struct optset *given);
/*
 * An option a running server cannot take on HUP whose value differs in
 * next: its running value (from cur, which hands over a string it owns)
 * is put back in next and its name returned; NULL once none differs.
 */
const char *options_keep_running(struct tfsd_config *next,
	    struct tfsd_config *cur);
/* --help: every option of the table, with its default. */
void	options_usage(FILE *fp);
/* The name of row i, or NULL past the end (tests, completion). */
const char *options_name(size_t i);

#endif /* SERVER_OPTIONS_H */
