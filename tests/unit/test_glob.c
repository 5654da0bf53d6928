/*
 * test_glob.c -- matching remote names against mget's patterns: shell
 * rules over one component, dot files, escapes, the folder part.
 */

#include <string.h>

#include <CUnit/CUnit.h>

#include "rglob.h"
#include "suites.h"

struct gcase {
	const char	*pat;
	const char	*name;
	int		 want;
};

static const struct gcase	 gcases[] = {
	{ "*", "a.txt", 1 },
	{ "*", ".hidden", 0 },
	{ ".*", ".hidden", 1 },
	{ "*.txt", "a.txt", 1 },
	{ "*.txt", "a.txt.gz", 0 },
	{ "*.txt", "txt", 0 },
	{ "a?c", "abc", 1 },
	{ "a?c", "ac", 0 },
	{ "a?c", "a.c", 1 },
	{ "?", ".", 0 },
	{ "[ab]*", "apple", 1 },
	{ "[ab]*", "cherry", 0 },
	{ "[!ab]*", "cherry", 1 },
	{ "[a-c]x", "bx", 1 },
	{ "\\*", "*", 1 },
	{ "\\*", "a", 0 },
	{ "my file*", "my file.txt", 1 },
	{ "plain", "plain", 1 },
	{ "plain", "plainer", 0 },
	{ "*", "", 1 },
	{ "r\xc3\xa9*", "r\xc3\xa9sum\xc3\xa9", 1 },
};

static void
test_glob_match(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(gcases) / sizeof(gcases[0]); i++) {
		CU_ASSERT_EQUAL(rglob_match(gcases[i].pat, gcases[i].name),
		    gcases[i].want);
	}
}

static void
test_glob_magic(void)
{
	CU_ASSERT_TRUE(rglob_has_magic("*.txt"));
	CU_ASSERT_TRUE(rglob_has_magic("a?"));
	CU_ASSERT_TRUE(rglob_has_magic("[ab]"));
	CU_ASSERT_FALSE(rglob_has_magic("plain.txt"));
	CU_ASSERT_FALSE(rglob_has_magic("\\*"));
	CU_ASSERT_FALSE(rglob_has_magic(""));
	CU_ASSERT_TRUE(rglob_has_magic("\\\\*"));
}

static void
test_glob_split(void)
{
	static const struct {
		const char	*pattern;
		const char	*dir, *base;
	} cases[] = {
		{ "*.txt",	"",	"*.txt" },
		{ "docs/*.md",	"docs",	"*.md" },
		{ "a/b/c?",	"a/b",	"c?" },
		{ "/x*",	"/",	"x*" },
	};
	char		 dir[64];
	const char	*base;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(rglob_split(cases[i].pattern, dir, sizeof(dir),
		    &base), 0);
		CU_ASSERT_STRING_EQUAL(dir, cases[i].dir);
		CU_ASSERT_STRING_EQUAL(base, cases[i].base);
	}
	/* a folder longer than the buffer */
	CU_ASSERT_EQUAL(rglob_split("abcdef/x", dir, 4, &base), -1);
}

static void
test_glob_filter(void)
{
	const char	*names[] = { ".dot", "a.c", "a.h", "b.c", "Makefile",
	    "sub" };
	size_t		 idx[6], k;

	k = rglob_filter("*.c", names, 6, idx);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT_EQUAL(idx[0], 1);
	CU_ASSERT_EQUAL(idx[1], 3);
	k = rglob_filter("*", names, 6, idx);
	CU_ASSERT_EQUAL(k, 5);
	k = rglob_filter("z*", names, 6, idx);
	CU_ASSERT_EQUAL(k, 0);
	k = rglob_filter("a.?", names, 6, idx);
	CU_ASSERT_EQUAL(k, 2);
}

CU_TestInfo tests_glob[] = {
	TEST(test_glob_match),
	TEST(test_glob_magic),
	TEST(test_glob_split),
	TEST(test_glob_filter),
	CU_TEST_INFO_NULL,
};
