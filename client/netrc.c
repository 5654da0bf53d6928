/*
 * netrc.c -- looking a host up in ~/.netrc (netrc.h).
 *
 * Reads the whole (bounded) file, walks its tokens once, and keeps only
 * the entries that can answer.  Every copy of the file and of passwords
 * is wiped before it is freed.  Never prints, never prompts: what to do
 * with a refused file is the caller's choice.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "netrc.h"
#include "xio.h"

enum netrc_kind {
	NETRC_NONE,		/* before the first entry */
	NETRC_MATCH,		/* machine: the host asked for */
	NETRC_OTHER,		/* machine: another host */
	NETRC_DEF,		/* default */
};

struct netrc_lex {
	const char	*p, *end;
	unsigned int	 line;
};

struct netrc_scan {
	const char		*host, *login;
	int			 flags;
	enum netrc_kind		 kind;		/* of the entry being read */
	struct netrc_entry	 cur;
	struct netrc_entry	 found, def;	/* the answers so far */
	int			 have_found, have_def;
	int			 has_password;	/* anywhere in the file */
};

static int	netrc_read(const char *, char **, size_t *, mode_t *, char *,
		    size_t);
static int	netrc_blank(char);
static int	netrc_token(struct netrc_lex *, char *, size_t);
static void	netrc_skip_macro(struct netrc_lex *);
static int	netrc_parse(struct netrc_lex *, struct netrc_scan *,
		    const char **);
static int	netrc_value(struct netrc_lex *, struct netrc_scan *,
		    const char *, const char **);
static void	netrc_close(struct netrc_scan *);
static int	netrc_login_ok(const struct netrc_scan *);

void
netrc_clear(struct netrc_entry *e)
{
	if (e->password != NULL) {
		explicit_bzero(e->password, strlen(e->password));
	}
	free(e->password);
	free(e->login);
	memset(e, 0, sizeof(*e));
}

int
netrc_default_path(char *buf, size_t bufsz)
{
	const char	*home = getenv("HOME");
	struct passwd	*pw;
	int		 n;

	if (home == NULL || *home == '\0') {
		if ((pw = getpwuid(getuid())) == NULL) {
			return -1;
		}
		home = pw->pw_dir;
	}
	n = snprintf(buf, bufsz, "%s/.netrc", home);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/*
 * The file into *bufp (*lenp bytes) and its mode.  0, 1 when there is
 * no file, -1 with err.
 */
static int
netrc_read(const char *path, char **bufp, size_t *lenp, mode_t *mode,
    char *err, size_t errsz)
{
	struct stat	 st;
	char		*buf;
	size_t		 len;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT) {
			return 1;
		}
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		goto out_close;
	}
	if (st.st_size > NETRC_FILE_MAX) {
		snprintf(err, errsz, "%s: larger than %d bytes", path,
		    NETRC_FILE_MAX);
		goto out_close;
	}
	len = (size_t)st.st_size;
	if ((buf = malloc(len + 1)) == NULL ||
	    xio_read_full(fd, buf, len, -1) != (ssize_t)len) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		free(buf);
		goto out_close;
	}
	(void)close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	*mode = st.st_mode;
	return 0;
out_close:
	(void)close(fd);
	return -1;
}

static int
netrc_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The next token into tok: 1, 0 at the end of the file, -1 when it is
 * too long or its quote is not closed.  A backslash takes the next
 * byte as it is, in quotes or not.
 */
static int
netrc_token(struct netrc_lex *lx, char *tok, size_t toksz)
{
	size_t	 n = 0;
	int	 quoted = 0;
	char	 c;

	for (; lx->p < lx->end && netrc_blank(*lx->p); lx->p++) {
		lx->line += *lx->p == '\n';
	}
	if (lx->p == lx->end) {
		return 0;
	}
	if (*lx->p == '"') {
		quoted = 1;
		lx->p++;
	}
	while (lx->p < lx->end) {
		c = *lx->p;
		if (quoted ? c == '"' : netrc_blank(c)) {
			break;
		}
		lx->p++;
		if (c == '\\' && lx->p < lx->end) {
			c = *lx->p++;
		}
		lx->line += c == '\n';
		if (n + 1 >= toksz) {
			return -1;
		}
		tok[n++] = c;
	}
	if (quoted) {
		if (lx->p == lx->end) {
			return -1;
		}
		lx->p++;
	}
	tok[n] = '\0';
	return 1;
}

/* A macro's body runs from the next line to the first empty line. */
static void
netrc_skip_macro(struct netrc_lex *lx)
{
	const char	*q;

	q = memmem(lx->p, (size_t)(lx->end - lx->p), "\n\n", 2);
	q = q == NULL ? lx->end : q + 2;
	for (; lx->p < q; lx->p++) {
		lx->line += *lx->p == '\n';
	}
}

static int
netrc_login_ok(const struct netrc_scan *s)
{
	return s->login == NULL || s->cur.login == NULL ||
	    strcmp(s->cur.login, s->login) == 0;
}

/* The entry being read ends: keep it if it answers, else drop it. */
static void
netrc_close(struct netrc_scan *s)
{
	if (s->kind == NETRC_MATCH && !s->have_found && netrc_login_ok(s)) {
		s->found = s->cur;
		s->have_found = 1;
	} else if (s->kind == NETRC_DEF && !s->have_def &&
	    (s->flags & NETRC_DEFAULT) != 0 && netrc_login_ok(s)) {
		s->def = s->cur;
		s->def.is_default = 1;
		s->have_def = 1;
	} else {
		netrc_clear(&s->cur);
	}
	memset(&s->cur, 0, sizeof(s->cur));
	s->kind = NETRC_NONE;
}

/* The value of keyword kw; kept when the entry may answer.  0 or -1. */
static int
netrc_value(struct netrc_lex *lx, struct netrc_scan *s, const char *kw,
    const char **why)
{
	char	 tok[NETRC_TOKEN_MAX + 1];
	char	**dst = NULL;
	int	 r;

	if ((r = netrc_token(lx, tok, sizeof(tok))) != 1) {
		*why = r == 0 ? "a keyword without its value" :
		    "token too long, or a quote not closed";
		return -1;
	}
	if (strcmp(kw, "password") == 0 || strcmp(kw, "passwd") == 0) {
		s->has_password = 1;
		dst = &s->cur.password;
	} else if (strcmp(kw, "login") == 0) {
		dst = &s->cur.login;
	}
	/* the first value wins; others and "account" are skipped */
	r = 0;
	if (dst != NULL && *dst == NULL &&
	    (s->kind == NETRC_MATCH || s->kind == NETRC_DEF) &&
	    (*dst = strdup(tok)) == NULL) {
		*why = strerror(ENOMEM);
		r = -1;
	}
	explicit_bzero(tok, sizeof(tok));
	return r;
}

static int
netrc_parse(struct netrc_lex *lx, struct netrc_scan *s, const char **why)
{
	char	 tok[NETRC_TOKEN_MAX + 1];
	int	 r, ret = -1;

	*why = "a keyword without its value";
	while ((r = netrc_token(lx, tok, sizeof(tok))) == 1) {
		if (strcmp(tok, "default") == 0) {
			netrc_close(s);
			s->kind = NETRC_DEF;
		} else if (strcmp(tok, "machine") == 0) {
			netrc_close(s);
			if ((r = netrc_token(lx, tok, sizeof(tok))) != 1) {
				goto out;
			}
			s->kind = strcasecmp(tok, s->host) == 0 ?
			    NETRC_MATCH : NETRC_OTHER;
		} else if (strcmp(tok, "login") == 0 ||
		    strcmp(tok, "password") == 0 ||
		    strcmp(tok, "passwd") == 0 ||
		    strcmp(tok, "account") == 0) {
			if (netrc_value(lx, s, tok, why) == -1) {
				goto out;
			}
		} else if (strcmp(tok, "macdef") == 0) {
			if ((r = netrc_token(lx, tok, sizeof(tok))) != 1) {
				goto out;
			}
			netrc_skip_macro(lx);
		}
		/* any other word is skipped, as ftp does */
	}
	if (r == 0) {
		netrc_close(s);
		ret = 0;
	}
out:
	if (r == -1) {
		*why = "token too long, or a quote not closed";
	}
	explicit_bzero(tok, sizeof(tok));
	return ret;
}

int
netrc_lookup(const char *path, const char *host, const char *login,
    int flags, struct netrc_entry *e, char *err, size_t errsz)
{
	struct netrc_scan	 s;
	struct netrc_lex	 lx;
	const char		*why = NULL;
	char			*buf = NULL;
	size_t			 len = 0;
	mode_t			 mode = 0;
	int			 r, ret = -1;

	memset(e, 0, sizeof(*e));
	if ((r = netrc_read(path, &buf, &len, &mode, err, errsz)) != 0) {
		return r == 1 ? 0 : -1;
	}
	memset(&s, 0, sizeof(s));
	s.host = host;
	s.login = login;
	s.flags = flags;
	lx.p = buf;
	lx.end = buf + len;
	lx.line = 1;
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errsz, "%s: a NUL byte", path);
	} else if (netrc_parse(&lx, &s, &why) == -1) {
		snprintf(err, errsz, "%s:%u: %s", path, lx.line, why);
		netrc_clear(&s.cur);
	} else if (s.has_password && (mode & 077) != 0) {
		snprintf(err, errsz, "%s: holds a password and group or "
		    "others may read it (chmod 600 it)", path);
	} else if (s.have_found || s.have_def) {
		*e = s.have_found ? s.found : s.def;
		memset(s.have_found ? &s.found : &s.def, 0, sizeof(*e));
		ret = 1;
	} else {
		ret = 0;
	}
	netrc_clear(&s.found);
	netrc_clear(&s.def);
	explicit_bzero(buf, len);
	free(buf);
	return ret;
}
