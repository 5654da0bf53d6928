/*
 * path.c -- the lexical rules of TFS/1 paths, and the client's folding of
 * a working folder with what a user typed.
 *
 * Pure: never touches the file system.  path_check() is the server's
 * first filter on every path from the wire; resolving beneath the root
 * (symbolic links, special files) is the server's own second line.
 */

#include <errno.h>
#include <string.h>

#include "path.h"

static enum path_err	path_check_comp(const char *, size_t);
static int		path_push(char *, size_t *, size_t, const char *,
			    size_t);
static void		path_pop(char *, size_t *);
static int		path_fold(char *, size_t *, size_t, const char *);

/*
 * One component of len bytes (no '/').  Its bytes are scanned first, so
 * a control byte is told before the rules on the component as a whole.
 */
static enum path_err
path_check_comp(const char *c, size_t len)
{
	size_t		 i;
	unsigned char	 b;

	for (i = 0; i < len; i++) {
		b = (unsigned char)c[i];
		if (b < 0x20 || b == 0x7f) {
			return PATH_ECTRL;
		}
	}
	if (len == 0) {
		return PATH_EEMPTY;
	}
	if (len == 1 && c[0] == '.') {
		return PATH_EDOT;
	}
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		return PATH_EDOTDOT;
	}
	if (len > PATH_COMP_MAX) {
		return PATH_ECOMPLONG;
	}
	if (len >= sizeof(PATH_RESERVED) - 1 &&
	    memcmp(c, PATH_RESERVED, sizeof(PATH_RESERVED) - 1) == 0) {
		return PATH_ERESERVED;
	}
	return PATH_OK;
}

/*
 * Check a wire path of len bytes (it may hold NUL bytes, which are
 * refused) against every rule.  "The first broken rule" means: the rules
 * on the whole path first (length, empty, leading '/'), then components
 * from left to right, the leftmost bad component telling its error.
 */
enum path_err
path_check(const char *p, size_t len, int flags)
{
	enum path_err	 e;
	const char	*slash;
	size_t		 start, clen;

	if (len > PATH_MAX_LEN) {
		return PATH_ETOOLONG;
	}
	if (len == 0) {
		return (flags & PATH_ALLOW_ROOT) ? PATH_OK : PATH_EROOT;
	}
	if (p[0] == '/') {
		return PATH_EABSOLUTE;
	}
	for (start = 0; start <= len; start += clen + 1) {
		/* memchr, not strchr: a NUL inside is a byte to refuse */
		slash = memchr(p + start, '/', len - start);
		clen = (slash == NULL ? (size_t)len : (size_t)(slash - p)) -
		    start;
		if ((e = path_check_comp(p + start, clen)) != PATH_OK) {
			return e;
		}
	}
	return PATH_OK;
}

const char *
path_strerror(enum path_err e)
{
	switch (e) {
	case PATH_OK:
		return "valid path";
	case PATH_ETOOLONG:
		return "path longer than 4095 bytes";
	case PATH_EROOT:
		return "empty path where a name is needed";
	case PATH_EABSOLUTE:
		return "path starts with '/'";
	case PATH_EEMPTY:
		return "empty component";
	case PATH_EDOT:
		return "component '.'";
	case PATH_EDOTDOT:
		return "component '..'";
	case PATH_ECOMPLONG:
		return "component longer than 255 bytes";
	case PATH_ECTRL:
		return "control byte in path";
	case PATH_ERESERVED:
		return "component starting with '.tfs-' (reserved)";
	}
	return "unknown path error";
}

/* Append component c (n bytes) to out (*len used of sz). 0 or -1. */
static int
path_push(char *out, size_t *len, size_t sz, const char *c, size_t n)
{
	size_t	 need = *len + (*len > 0) + n + 1;

	if (need > sz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (*len > 0) {
		out[(*len)++] = '/';
	}
	memcpy(out + *len, c, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

/* Drop the last component; at the root there is nothing above to go to. */
static void
path_pop(char *out, size_t *len)
{
	char	*slash;

	slash = strrchr(out, '/');
	*len = slash == NULL ? 0 : (size_t)(slash - out);
	out[*len] = '\0';
}

/* Fold the components of s onto out: skip "" and ".", pop on "..". */
static int
path_fold(char *out, size_t *len, size_t sz, const char *s)
{
	const char	*end;
	size_t		 n;

	while (*s != '\0') {
		end = strchrnul(s, '/');
		n = (size_t)(end - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			path_pop(out, len);
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			if (path_push(out, len, sz, s, n) == -1) {
				return -1;
			}
		}
		s = *end == '/' ? end + 1 : end;
	}
	return 0;
}

/*
 * Resolve arg against the remote working folder cwd, in wire form.  The
 * result is not checked against the rules: the caller still passes it
 * through path_check(), and the server checks it again.
 */
int
path_resolve(const char *cwd, const char *arg, char *out, size_t outsz)
{
	size_t	 len = 0;

	if (outsz == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[0] = '\0';
	if (arg == NULL) {
		arg = "";
	}
	if (arg[0] != '/' && cwd != NULL &&
	    path_fold(out, &len, outsz, cwd) == -1) {
		return -1;
	}
	return path_fold(out, &len, outsz, arg);
}

/* Everything after the last '/': "a/b" -> "b", "a/" -> "", "" -> "". */
const char *
path_basename(const char *p)
{
	const char	*slash = strrchr(p, '/');

	return slash == NULL ? p : slash + 1;
}

/*
 * dir and name joined by exactly one '/': dir "" (or name "") gives the
 * other alone, and a dir ending in '/' gets no second one.
 */
int
path_join(const char *dir, const char *name, char *out, size_t outsz)
{
	size_t	 dlen = strlen(dir), nlen = strlen(name);
	int	 sep;

	sep = dlen > 0 && nlen > 0 && dir[dlen - 1] != '/';
	if (dlen + (size_t)sep + nlen + 1 > outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memmove(out, dir, dlen);
	if (sep) {
		out[dlen] = '/';
	}
	memmove(out + dlen + (size_t)sep, name, nlen + 1);
	return 0;
}
