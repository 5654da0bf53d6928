/*
 * netrc.h -- the user's ~/.netrc, read as ftp(1) reads it: tokens
 * separated by blanks and newlines ("double quotes" and backslashes
 * for tokens that hold them), "machine NAME", "default", "login",
 * "password", "account" and "macdef NAME" (its body, up to an empty
 * line, skipped).  Unknown words are skipped.  A file that holds a
 * password and lets group or others in is refused, as ftp does.
 * Only reads; never prints.
 */

#ifndef CLIENT_NETRC_H
#define CLIENT_NETRC_H

#include <stddef.h>

#define NETRC_FILE_MAX	(1024 * 1024)	/* bytes in the file */
#define NETRC_TOKEN_MAX	1023		/* bytes in a token */

struct netrc_entry {
	char	*login;		/* NULL when the entry has none */
	char	*password;	/* NULL when none; netrc_clear wipes it */
	int	 is_default;	/* it came from "default" */
};

#define NETRC_DEFAULT	0x01	/* "default" may answer when no machine does */

/*
 * Look host (the name as typed, without a port; compared without
 * regard to case) up in the file at path.  The first "machine" entry
 * for host whose login is login answers; an entry without a login
 * answers any, and login NULL takes any entry.  Else, with
 * NETRC_DEFAULT, the "default" entry on the same terms.
 * Returns 1 with e filled, 0 when nothing answers or there is no file,
 * -1 with "FILE: why" in err (refused, unreadable, malformed).
 */
int	netrc_lookup(const char *path, const char *host, const char *login,
	    int flags, struct netrc_entry *e, char *err, size_t errsz);
/* Wipe and free what an entry holds. */
void	netrc_clear(struct netrc_entry *);
/* $HOME/.netrc (or the home of the password file's entry).  0 or -1. */
int	netrc_default_path(char *buf, size_t bufsz);

#endif /* CLIENT_NETRC_H */
