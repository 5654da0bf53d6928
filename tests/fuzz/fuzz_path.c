/*
 * fuzz_path.c -- libFuzzer target for the path rules and the client's
 * resolution.
 *
 * path_check is compared with a plain re-statement of the rules of
 * PROTOCOL.md, and an accepted path is checked for what must never be
 * in it.  The input also splits (at its first NUL) into a working folder
 * and an argument for path_resolve, whose result must be folded: no
 * leading or doubled '/', no "." or ".." left.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	ref_valid(const uint8_t *, size_t, int);
static void	check_folded(const char *);

/* The rules, stated as simply as possible, component by component. */
static int
ref_valid(const uint8_t *p, size_t n, int allow_root)
{
	size_t	 i, start = 0, len;

	if (n == 0) {
		return allow_root;
	}
	if (n > 4095) {
		return 0;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && (p[i] < 0x20 || p[i] == 0x7f)) {
			return 0;
		}
		if (i < n && p[i] != '/') {
			continue;
		}
		len = i - start;
		if (len == 0 || len > 255 ||
		    (len == 1 && p[start] == '.') ||
		    (len == 2 && p[start] == '.' && p[start + 1] == '.') ||
		    (len >= 5 && memcmp(p + start, ".tfs-", 5) == 0)) {
			return 0;
		}
		start = i + 1;
	}
	return 1;
}

/* A resolved path: no empty, "." or ".." component, no leading '/'. */
static void
check_folded(const char *s)
{
	const char	*c = s, *end;
	size_t		 n;

	if (*s == '\0') {
		return;
	}
	for (;;) {
		end = strchrnul(c, '/');
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.')) {
			abort();
		}
		if (*end == '\0') {
			break;
		}
		c = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*cwd, *arg, *out, *again;
	const uint8_t	*nul;
	enum path_err	 e;
	size_t		 outsz, clen;
	int		 flags;

	for (flags = 0; flags <= PATH_ALLOW_ROOT; flags++) {
		e = path_check((const char *)data, size, flags);
		if ((e == PATH_OK) != ref_valid(data, size, flags)) {
			abort();
		}
		if (path_strerror(e) == NULL) {
			abort();
		}
		if (e == PATH_OK && size > 0 &&
		    (memmem(data, size, "//", 2) != NULL || data[0] == '/' ||
		    data[size - 1] == '/' || memchr(data, 0, size) != NULL)) {
			abort();
		}
	}

	/* cwd NUL arg; the output size comes from the input too */
	nul = memchr(data, 0, size);
	clen = nul == NULL ? size : (size_t)(nul - data);
	cwd = strndup((const char *)data, clen);
	arg = strndup(nul == NULL ? "" : (const char *)nul + 1,
	    nul == NULL ? 0 : size - clen - 1);
	outsz = size > 0 ? 1 + data[size - 1] * 32u : 1;
	out = malloc(outsz);
	again = malloc(outsz);
	if (cwd == NULL || arg == NULL || out == NULL || again == NULL) {
		abort();
	}
	if (path_resolve(cwd, arg, out, outsz) == 0) {
		if (strlen(out) >= outsz) {
			abort();
		}
		check_folded(out);
		e = path_check(out, strlen(out), PATH_ALLOW_ROOT);
		if (e == PATH_EABSOLUTE || e == PATH_EEMPTY ||
		    e == PATH_EDOT || e == PATH_EDOTDOT) {
			abort();
		}
		/* folding is idempotent */
		if (path_resolve("", out, again, outsz) != 0 ||
		    strcmp(out, again) != 0) {
			abort();
		}
		if (strchr(path_basename(out), '/') != NULL) {
			abort();
		}
	} else if (errno != ENAMETOOLONG) {
		abort();
	}
	free(cwd);
	free(arg);
	free(out);
	free(again);
	return 0;
}
