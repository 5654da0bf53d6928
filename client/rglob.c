/*
 * rglob.c -- matching remote names against a user's pattern.
 *
 * Only the last component of a pattern may hold wildcards (mget
 * dir/\*.txt); the folder part is listed with LIST by the caller.
 */

#include <fnmatch.h>
#include <string.h>

#include "rglob.h"

int
rglob_has_magic(const char *pat)
{
	for (; *pat != '\0'; pat++) {
		if (*pat == '\\' && pat[1] != '\0') {
			pat++;
			continue;
		}
		if (*pat == '*' || *pat == '?' || *pat == '[') {
			return 1;
		}
	}
	return 0;
}

int
rglob_split(const char *pat, char *dir, size_t dirsz, const char **base)
{
	const char	*slash;
	size_t		 n;

	if ((slash = strrchr(pat, '/')) == NULL) {
		if (dirsz == 0) {
			return -1;
		}
		dir[0] = '\0';
		*base = pat;
		return 0;
	}
	/* "/x" keeps "/" (the root), "a/x" gives "a" */
	n = slash == pat ? 1 : (size_t)(slash - pat);
	if (n >= dirsz) {
		return -1;
	}
	memcpy(dir, pat, n);
	dir[n] = '\0';
	*base = slash + 1;
	return 0;
}

int
rglob_match(const char *pat, const char *name)
{
	/* FNM_PERIOD: a leading dot is matched only by a literal dot */
	return fnmatch(pat, name, FNM_PERIOD | FNM_PATHNAME) == 0;
}

size_t
rglob_filter(const char *pat, const char *const *names, size_t n,
    size_t *out)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++) {
		if (rglob_match(pat, names[i])) {
			out[k++] = i;
		}
	}
	return k;
}
