/*
 * test_path.c -- the path rules of PROTOCOL.md, each both ways, on a
 * table of hostile and ordinary paths; the client's resolution of a
 * working folder and an argument; basename and join.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "path.h"
#include "suites.h"

struct pcase {
	const char	*p;
	size_t		 len;		/* 0: strlen(p) */
	int		 flags;
	enum path_err	 want;
};

#define R	PATH_ALLOW_ROOT

static const struct pcase	 cases[] = {
	/* valid */
	{ "a", 0, 0, PATH_OK },
	{ "a/b", 0, 0, PATH_OK },
	{ "a/b/c.txt", 0, 0, PATH_OK },
	{ "file with spaces", 0, 0, PATH_OK },
	{ ".hidden", 0, 0, PATH_OK },
	{ "dir/.hidden", 0, 0, PATH_OK },
	{ "...", 0, 0, PATH_OK },
	{ "a/.../b", 0, 0, PATH_OK },
	{ "..a", 0, 0, PATH_OK },
	{ "a..", 0, 0, PATH_OK },
	{ ".a.", 0, 0, PATH_OK },
	{ ".tfsx", 0, 0, PATH_OK },
	{ ".tfs", 0, 0, PATH_OK },
	{ "a/.tfs", 0, 0, PATH_OK },
	{ "x.tfs-y", 0, 0, PATH_OK },
	{ "tfs-", 0, 0, PATH_OK },
	{ "r\xc3\xa9sum\xc3\xa9.txt", 0, 0, PATH_OK },
	{ "\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80", 0, 0, PATH_OK },
	{ "\x80\xff", 0, 0, PATH_OK },
	{ "~", 0, 0, PATH_OK },
	{ "a\\b", 0, 0, PATH_OK },
	{ "-rf", 0, 0, PATH_OK },
	{ "", 0, R, PATH_OK },
	{ "a", 0, R, PATH_OK },
	/* the empty path: only where the root is allowed */
	{ "", 0, 0, PATH_EROOT },
	/* absolute */
	{ "/", 0, 0, PATH_EABSOLUTE },
	{ "/", 0, R, PATH_EABSOLUTE },
	{ "/etc/passwd", 0, 0, PATH_EABSOLUTE },
	{ "//a", 0, 0, PATH_EABSOLUTE },
	/* empty components */
	{ "a//b", 0, 0, PATH_EEMPTY },
	{ "a/", 0, 0, PATH_EEMPTY },
	{ "a/b/", 0, R, PATH_EEMPTY },
	{ "a//./b", 0, 0, PATH_EEMPTY },
	/* dot and dot-dot */
	{ ".", 0, 0, PATH_EDOT },
	{ "./a", 0, 0, PATH_EDOT },
	{ "a/./b", 0, 0, PATH_EDOT },
	{ "a/.", 0, 0, PATH_EDOT },
	{ "..", 0, 0, PATH_EDOTDOT },
	{ "../a", 0, 0, PATH_EDOTDOT },
	{ "a/..", 0, 0, PATH_EDOTDOT },
	{ "a/../../b", 0, 0, PATH_EDOTDOT },
	{ "../../../../etc/passwd", 0, 0, PATH_EDOTDOT },
	/* control bytes and DEL */
	{ "a\nb", 0, 0, PATH_ECTRL },
	{ "a\tb", 0, 0, PATH_ECTRL },
	{ "\x01", 0, 0, PATH_ECTRL },
	{ "a/\x1f", 0, 0, PATH_ECTRL },
	{ "a\x7f", 0, 0, PATH_ECTRL },
	{ "a\rb/c", 0, 0, PATH_ECTRL },
	{ "esc\x1b[31m", 0, 0, PATH_ECTRL },
	{ "a\0b", 3, 0, PATH_ECTRL },
	{ "a\0", 2, 0, PATH_ECTRL },
	{ "a/b\0/../../etc", 14, 0, PATH_ECTRL },
	/* reserved names */
	{ ".tfs-x", 0, 0, PATH_ERESERVED },
	{ ".tfs-", 0, 0, PATH_ERESERVED },
	{ "a/.tfs-x", 0, 0, PATH_ERESERVED },
	{ ".tfs-upload.1234/b", 0, 0, PATH_ERESERVED },
	/* first broken rule, scanning left to right */
	{ "../a\nb", 0, 0, PATH_EDOTDOT },
	{ "a\n/..", 0, 0, PATH_ECTRL },
	{ "a//..", 0, 0, PATH_EEMPTY },
	{ ".tfs-a/..", 0, 0, PATH_ERESERVED },
	{ "./..", 0, 0, PATH_EDOT },
};

static void	joins_as(const char *, const char *, const char *);
static void	test_path_table(void);
static void	test_path_component_length(void);
static void	test_path_total_length(void);
static void	test_path_strerror(void);
static void	test_path_resolve(void);
static void	test_path_resolve_overflow(void);
static void	test_path_basename(void);
static void	test_path_join(void);

static void
test_path_table(void)
{
	const struct pcase	*c;
	enum path_err		 got;
	size_t			 i, n = sizeof(cases) / sizeof(cases[0]);

	CU_ASSERT(n >= 45);
	for (i = 0; i < n; i++) {
		c = &cases[i];
		got = path_check(c->p, c->len ? c->len : strlen(c->p),
		    c->flags);
		CU_ASSERT_EQUAL(got, c->want);
	}
}

/* 255 bytes is the longest component, 256 is one too many. */
static void
test_path_component_length(void)
{
	char	 p[600];

	memset(p, 'c', 255);
	CU_ASSERT_EQUAL(path_check(p, 255, 0), PATH_OK);
	memset(p, 'c', 256);
	CU_ASSERT_EQUAL(path_check(p, 256, 0), PATH_ECOMPLONG);
	/* the long one in second place, after a valid one */
	memcpy(p, "dir/", 4);
	memset(p + 4, 'c', 255);
	CU_ASSERT_EQUAL(path_check(p, 4 + 255, 0), PATH_OK);
	memset(p + 4, 'c', 256);
	CU_ASSERT_EQUAL(path_check(p, 4 + 256, 0), PATH_ECOMPLONG);
	/* 255 bytes of UTF-8 (85 three-byte characters) */
	{
		int	 i;

		for (i = 0; i < 85; i++) {
			memcpy(p + 3 * i, "\xe2\x82\xac", 3);
		}
		CU_ASSERT_EQUAL(path_check(p, 255, 0), PATH_OK);
		memcpy(p + 255, "x", 1);
		CU_ASSERT_EQUAL(path_check(p, 256, 0), PATH_ECOMPLONG);
	}
}

/* 4095 bytes is the longest path, 4096 one too many. */
static void
test_path_total_length(void)
{
	char	 p[5000];
	size_t	 i;

	/* "aaa...a/" in components of 200 bytes */
	for (i = 0; i < sizeof(p); i++) {
		p[i] = (i + 1) % 201 == 0 ? '/' : 'a';
	}
	p[4094] = 'z';
	CU_ASSERT_EQUAL(path_check(p, 4095, 0), PATH_OK);
	p[4095] = 'z';
	CU_ASSERT_EQUAL(path_check(p, 4096, 0), PATH_ETOOLONG);
	CU_ASSERT_EQUAL(path_check(p, sizeof(p), R), PATH_ETOOLONG);
	/* length is judged before anything else */
	p[0] = '/';
	CU_ASSERT_EQUAL(path_check(p, 4096, 0), PATH_ETOOLONG);
}

static void
test_path_strerror(void)
{
	enum path_err	 e;

	for (e = PATH_OK; e <= PATH_ERESERVED; e++) {
		CU_ASSERT_PTR_NOT_NULL(path_strerror(e));
	}
	CU_ASSERT_STRING_NOT_EQUAL(path_strerror(PATH_EDOT),
	    path_strerror(PATH_EDOTDOT));
}

static void
test_path_resolve(void)
{
	static const struct {
		const char	*cwd, *arg, *want;
	} rc[] = {
		{ "", "", "" },
		{ "", "a", "a" },
		{ "a", "b", "a/b" },
		{ "a/b", "c/d", "a/b/c/d" },
		{ "a/b", "..", "a" },
		{ "a/b", "../..", "" },
		{ "a/b", "../../../..", "" },
		{ "", "..", "" },
		{ "a", "../../etc/passwd", "etc/passwd" },
		{ "a/b", "/", "" },
		{ "a/b", "/x/y", "x/y" },
		{ "a/b", "//x//y//", "x/y" },
		{ "a", "./b/./c/.", "a/b/c" },
		{ "a", "b/../c", "a/c" },
		{ "a", ".", "a" },
		{ "a", "", "a" },
		{ "a", "b/", "a/b" },
		{ "a", "...", "a/..." },
		{ "a", ".hidden", "a/.hidden" },
		{ "x", "a//./b", "x/a/b" },
		{ "a/b/c", "/../..", "" },
		{ "a/b", "../c/../d", "a/d" },
	};
	char	 out[256];
	size_t	 i;

	for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(path_resolve(rc[i].cwd, rc[i].arg, out,
		    sizeof(out)), 0);
		CU_ASSERT_STRING_EQUAL(out, rc[i].want);
	}
	CU_ASSERT_EQUAL(path_resolve(NULL, "q", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "q");
	CU_ASSERT_EQUAL(path_resolve("q", NULL, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "q");
}

static void
test_path_resolve_overflow(void)
{
	char	 out[8];

	/* "abc/def" and its NUL fill the 8 bytes exactly */
	CU_ASSERT_EQUAL(path_resolve("abc", "def", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "abc/def");
	errno = 0;
	CU_ASSERT_EQUAL(path_resolve("abc", "defg", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
	CU_ASSERT_EQUAL(path_resolve("", "abcdefgh", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(path_resolve("", "", out, 0), -1);
	CU_ASSERT_EQUAL(path_resolve("", "", out, 1), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void
test_path_basename(void)
{
	CU_ASSERT_STRING_EQUAL(path_basename("a/b"), "b");
	CU_ASSERT_STRING_EQUAL(path_basename("b"), "b");
	CU_ASSERT_STRING_EQUAL(path_basename(""), "");
	CU_ASSERT_STRING_EQUAL(path_basename("a/b/c.txt"), "c.txt");
	CU_ASSERT_STRING_EQUAL(path_basename("/etc/passwd"), "passwd");
	CU_ASSERT_STRING_EQUAL(path_basename("a/"), "");
}

/* path_join(a, b) into 16 bytes gives want. */
static void
joins_as(const char *a, const char *b, const char *want)
{
	char	 out[16];

	CU_ASSERT_EQUAL(path_join(a, b, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void
test_path_join(void)
{
	char	 out[16];

	joins_as("a", "b", "a/b");
	joins_as("", "b", "b");
	joins_as("a/", "b", "a/b");
	joins_as("a", "", "a");
	joins_as("/", "etc", "/etc");
	/* "0123456/89abcde" is 15 bytes: fits in 16 with its NUL */
	joins_as("0123456", "89abcde", "0123456/89abcde");
	errno = 0;
	CU_ASSERT_EQUAL(path_join("0123456", "89abcdef", out, sizeof(out)),
	    -1);
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
}

CU_TestInfo tests_path[] = {
	TEST(test_path_table),
	TEST(test_path_component_length),
	TEST(test_path_total_length),
	TEST(test_path_strerror),
	TEST(test_path_resolve),
	TEST(test_path_resolve_overflow),
	TEST(test_path_basename),
	TEST(test_path_join),
	CU_TEST_INFO_NULL,
};
