/*
 * test_cmdline.c -- the client's command-line splitter and its quoting,
 * the partial split used by completion, command options, batch lines,
 * the HOST[:PORT] argument, and completion's quoting both ways.
 */

#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cmdline.h"
#include "complete.h"
#include "suites.h"

struct scase {
	const char	*line;
	int		 argc;		/* -1: must fail */
	const char	*words[6];
};

static const struct scase	 scases[] = {
	{ "", 0, { NULL } },
	{ "   \t ", 0, { NULL } },
	{ "ls", 1, { "ls" } },
	{ "  ls   -l  docs  ", 3, { "ls", "-l", "docs" } },
	{ "get \"my file.txt\" out", 3, { "get", "my file.txt", "out" } },
	{ "get 'my file.txt'", 2, { "get", "my file.txt" } },
	{ "get my\\ file.txt", 2, { "get", "my file.txt" } },
	{ "put a\\\\b", 2, { "put", "a\\b" } },
	{ "x \"a\\\"b\"", 2, { "x", "a\"b" } },
	{ "x \"a\\\\b\"", 2, { "x", "a\\b" } },
	/* inside double quotes other backslashes stay */
	{ "x \"a\\nb\"", 2, { "x", "a\\nb" } },
	/* single quotes keep everything */
	{ "x 'a\\\"b'", 2, { "x", "a\\\"b" } },
	{ "x 'it'\\''s'", 2, { "x", "it's" } },
	/* quotes join with the rest of a word */
	{ "x ab\"c d\"ef", 2, { "x", "abc def" } },
	{ "x '' \"\"", 3, { "x", "", "" } },
	{ "a\tb", 2, { "a", "b" } },
	{ "unterminated \"quote", -1, { NULL } },
	{ "unterminated 'quote", -1, { NULL } },
	{ "trailing\\", -1, { NULL } },
};

static void
test_cmdline_split(void)
{
	struct cmdline	 cl;
	const char	*errstr;
	size_t		 i;
	int		 j, r;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		errstr = NULL;
		r = cmdline_split(scases[i].line, &cl, &errstr);
		if (scases[i].argc == -1) {
			CU_ASSERT_EQUAL(r, -1);
			CU_ASSERT_PTR_NOT_NULL(errstr);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT_EQUAL(cl.argc, scases[i].argc);
		if (cl.argc == scases[i].argc) {
			for (j = 0; j < cl.argc; j++) {
				CU_ASSERT_STRING_EQUAL(cl.argv[j],
				    scases[i].words[j]);
			}
			CU_ASSERT_PTR_NULL(cl.argv[cl.argc]);
		}
		cmdline_free(&cl);
	}
}

static void
test_cmdline_split_partial(void)
{
	static const struct {
		const char	*line;
		int		 len;		/* -1: all of line */
		int		 open;
		const char	*arg1;		/* NULL: not checked */
		int		 last_start;	/* -1: not checked */
	} cases[] = {
		{ "get \"my fi",	-1,	1,	"my fi",	4 },
		{ "get a ",		-1,	0,	NULL,		-1 },
		/* only the first len bytes count */
		{ "put abc def",	5,	1,	"a",		-1 },
		{ "x a\\",		-1,	1,	NULL,		-1 },
	};
	struct cmdline	 cl;
	size_t		 i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len == -1 ? strlen(cases[i].line) :
		    (size_t)cases[i].len;
		CU_ASSERT_EQUAL_FATAL(cmdline_split_partial(cases[i].line,
		    len, &cl), 0);
		CU_ASSERT_EQUAL(cl.argc, 2);
		CU_ASSERT_EQUAL(cl.open, cases[i].open);
		if (cases[i].arg1 != NULL) {
			CU_ASSERT_STRING_EQUAL(cl.argv[1], cases[i].arg1);
		}
		if (cases[i].last_start != -1) {
			CU_ASSERT_EQUAL(cl.last_start, cases[i].last_start);
		}
		cmdline_free(&cl);
	}
}

static void
test_cmdline_opts(void)
{
	char		*v1[] = { "get", "-rv", "-R", "a", "b", NULL };
	char		*v2[] = { "get", "-x", "a", NULL };
	char		*v3[] = { "put", "-", "x", NULL };
	char		*v4[] = { "rm", "--", "-r", NULL };
	char		*v5[] = { "ls", NULL };
	uint64_t	 m;
	int		 oi;
	char		 bad = 0;

	CU_ASSERT_EQUAL(cmdline_opts(5, v1, "rRv", &m, &oi, &bad), 0);
	CU_ASSERT_EQUAL(oi, 3);
	CU_ASSERT((m & CMDLINE_OPT('r')) != 0);
	CU_ASSERT((m & CMDLINE_OPT('R')) != 0);
	CU_ASSERT((m & CMDLINE_OPT('v')) != 0);
	CU_ASSERT((m & CMDLINE_OPT('l')) == 0);

	CU_ASSERT_EQUAL(cmdline_opts(3, v2, "rRv", &m, &oi, &bad), -1);
	CU_ASSERT_EQUAL(bad, 'x');

	/* "-" alone is an argument: stdin */
	CU_ASSERT_EQUAL(cmdline_opts(3, v3, "r", &m, &oi, &bad), 0);
	CU_ASSERT_EQUAL(oi, 1);
	CU_ASSERT_EQUAL(m, 0);

	CU_ASSERT_EQUAL(cmdline_opts(3, v4, "", &m, &oi, &bad), 0);
	CU_ASSERT_EQUAL(oi, 2);

	CU_ASSERT_EQUAL(cmdline_opts(1, v5, "l", &m, &oi, &bad), 0);
	CU_ASSERT_EQUAL(oi, 1);
}

static void
test_cmdline_batch(void)
{
	int	 ign;

	CU_ASSERT_PTR_NULL(cmdline_batch("", &ign));
	CU_ASSERT_PTR_NULL(cmdline_batch("   ", &ign));
	CU_ASSERT_PTR_NULL(cmdline_batch("# a comment", &ign));
	CU_ASSERT_PTR_NULL(cmdline_batch("   # indented", &ign));
	CU_ASSERT_PTR_NULL(cmdline_batch("-", &ign));
	CU_ASSERT_STRING_EQUAL(cmdline_batch("ls", &ign), "ls");
	CU_ASSERT_EQUAL(ign, 0);
	CU_ASSERT_STRING_EQUAL(cmdline_batch("-rm x", &ign), "rm x");
	CU_ASSERT_EQUAL(ign, 1);
	CU_ASSERT_STRING_EQUAL(cmdline_batch("  -rm x", &ign), "rm x");
	CU_ASSERT_EQUAL(ign, 1);
	CU_ASSERT_STRING_EQUAL(cmdline_batch("  get a", &ign), "get a");
	CU_ASSERT_EQUAL(ign, 0);
}

static void
test_cmdline_target(void)
{
	static const struct {
		const char	*target;
		int		 ret;
		const char	*host, *port;	/* with the default 10069 */
	} cases[] = {
		{ "lab",		0,	"lab",		"10069" },
		{ "lab:2121",		0,	"lab",		"2121" },
		{ "[::1]:99",		0,	"::1",		"99" },
		{ "[fe80::1]",		0,	"fe80::1",	"10069" },
		/* a bare IPv6 address: all of it is the host */
		{ "::1",		0,	"::1",		"10069" },
		{ "127.0.0.1:0",	-1,	NULL,		NULL },
		{ "h:65536",		-1,	NULL,		NULL },
		{ "h:abc",		-1,	NULL,		NULL },
		{ "h:",			-1,	NULL,		NULL },
		{ ":80",		-1,	NULL,		NULL },
		{ "[::1",		-1,	NULL,		NULL },
		{ "[::1]x",		-1,	NULL,		NULL },
		{ "[]:80",		-1,	NULL,		NULL },
	};
	char		 h[256], p[16];
	const char	*e;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)strcpy(p, "10069");
		CU_ASSERT_EQUAL(cmdline_target(cases[i].target, h, sizeof(h),
		    p, sizeof(p), &e), cases[i].ret);
		if (cases[i].ret == 0) {
			CU_ASSERT_STRING_EQUAL(h, cases[i].host);
			CU_ASSERT_STRING_EQUAL(p, cases[i].port);
		}
	}
	CU_ASSERT_EQUAL(cmdline_port_ok("65535"), 0);
	CU_ASSERT_EQUAL(cmdline_port_ok("1"), 0);
	CU_ASSERT_EQUAL(cmdline_port_ok("0"), -1);
	CU_ASSERT_EQUAL(cmdline_port_ok("100000"), -1);
	CU_ASSERT_EQUAL(cmdline_port_ok("-1"), -1);
}

/* Completion quotes a name so that the splitter gives it back. */
static void
test_cmdline_quote_roundtrip(void)
{
	static const char	*names[] = {
		"plain", "my file", "it's", "a\"b", "back\\slash", "$HOME",
		"tab\there", "#hash", "mixed 'q' \"d\" \\",
	};
	static const int	 quotes[] = { 0, '"', '\'' };
	struct cmdline		 cl;
	char			*q, *line, *dq;
	size_t			 i, k, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = 0; k < 3; k++) {
			q = complete_quote(names[i], quotes[k]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(q);
			n = strlen(q) + 8;
			line = malloc(n);
			CU_ASSERT_PTR_NOT_NULL_FATAL(line);
			if (quotes[k] == 0) {
				(void)snprintf(line, n, "x %s", q);
			} else {
				(void)snprintf(line, n, "x %c%s%c", quotes[k],
				    q, quotes[k]);
			}
			CU_ASSERT_EQUAL_FATAL(cmdline_split(line, &cl, NULL),
			    0);
			CU_ASSERT_EQUAL(cl.argc, 2);
			if (cl.argc == 2) {
				CU_ASSERT_STRING_EQUAL(cl.argv[1], names[i]);
			}
			cmdline_free(&cl);
			/* and dequoting what was typed gives it back too */
			if (quotes[k] != '\'' || strchr(names[i], '\'') ==
			    NULL) {
				dq = complete_dequote(q, quotes[k]);
				CU_ASSERT_STRING_EQUAL(dq, names[i]);
				free(dq);
			}
			free(line);
			free(q);
		}
	}
}

static void
test_cmdline_word_index(void)
{
	static const struct {
		const char	*line;
		int		 index;
		const char	*cmd;		/* NULL: none yet */
	} cases[] = {
		{ "",			0,	NULL },
		{ "ge",			0,	NULL },
		{ "get ",		1,	"get" },
		/* options do not count as arguments */
		{ "get -r -v a.txt ",	2,	"get" },
		{ "put - ",		2,	"put" },
		/* an opening quote: the word it opens is being typed */
		{ "get \"",		1,	"get" },
	};
	char		*cmd;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(complete_word_index(cases[i].line,
		    strlen(cases[i].line), &cmd), cases[i].index);
		if (cases[i].cmd == NULL) {
			CU_ASSERT_PTR_NULL(cmd);
		} else {
			CU_ASSERT_STRING_EQUAL(cmd, cases[i].cmd);
		}
		free(cmd);
	}
}

static void
test_cmdline_user(void)
{
	char		 u[16];
	const char	*rest, *errstr = NULL;

	CU_ASSERT_EQUAL(cmdline_user("host:1", u, sizeof(u), &rest,
	    &errstr), 0);
	CU_ASSERT_STRING_EQUAL(u, "");
	CU_ASSERT_STRING_EQUAL(rest, "host:1");
	CU_ASSERT_EQUAL(cmdline_user("bob@[::1]:7", u, sizeof(u), &rest,
	    &errstr), 0);
	CU_ASSERT_STRING_EQUAL(u, "bob");
	CU_ASSERT_STRING_EQUAL(rest, "[::1]:7");
	/* a user may hold '@': the last one ends it */
	CU_ASSERT_EQUAL(cmdline_user("a@b.org@h", u, sizeof(u), &rest,
	    &errstr), 0);
	CU_ASSERT_STRING_EQUAL(u, "a@b.org");
	CU_ASSERT_STRING_EQUAL(rest, "h");
	CU_ASSERT_EQUAL(cmdline_user("@h", u, sizeof(u), &rest, &errstr),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(errstr);
	CU_ASSERT_EQUAL(cmdline_user("abcdefghijklmnopq@h", u, sizeof(u),
	    &rest, &errstr), -1);
}

static void
test_cmdline_getopts(void)
{
	struct cmdline_optv	 ov;
	char			*v1[] = { "mirror", "-Rn", "-j4", "--delete",
				    "a", "b", NULL };
	char			*v2[] = { "get", "-j", "8", "--parallel=3",
				    "x", NULL };
	char			*v3[] = { "get", "--frob", "x", NULL };
	char			*v4[] = { "get", "-j", NULL };
	char			*v5[] = { "get", "--parallel", "2", "--",
				    "-x", NULL };
	char			 bad[32];
	int			 oi;

	CU_ASSERT_EQUAL(cmdline_getopts(6, v1, "Rnj:e", "delete=e", &ov, &oi,
	    bad, sizeof(bad)), 0);
	CU_ASSERT_EQUAL(oi, 4);
	CU_ASSERT((ov.mask & CMDLINE_OPT('R')) != 0);
	CU_ASSERT((ov.mask & CMDLINE_OPT('n')) != 0);
	CU_ASSERT((ov.mask & CMDLINE_OPT('e')) != 0);
	CU_ASSERT_STRING_EQUAL(ov.arg['j' - 'A'], "4");
	CU_ASSERT_EQUAL(cmdline_getopts(5, v2, "j:", "parallel=j", &ov, &oi,
	    bad, sizeof(bad)), 0);
	CU_ASSERT_EQUAL(oi, 4);
	CU_ASSERT_STRING_EQUAL(ov.arg['j' - 'A'], "3");
	CU_ASSERT_EQUAL(cmdline_getopts(3, v3, "j:", "parallel=j", &ov, &oi,
	    bad, sizeof(bad)), -1);
	CU_ASSERT_STRING_EQUAL(bad, "--frob");
	CU_ASSERT_EQUAL(cmdline_getopts(2, v4, "j:", "", &ov, &oi, bad,
	    sizeof(bad)), -1);
	CU_ASSERT_STRING_EQUAL(bad, "-j");
	CU_ASSERT_EQUAL(cmdline_getopts(5, v5, "j:x", "parallel=j", &ov, &oi,
	    bad, sizeof(bad)), 0);
	CU_ASSERT_EQUAL(oi, 4);
	CU_ASSERT_STRING_EQUAL(ov.arg['j' - 'A'], "2");
	CU_ASSERT((ov.mask & CMDLINE_OPT('x')) == 0);
}

CU_TestInfo tests_cmdline[] = {
	TEST(test_cmdline_split),
	TEST(test_cmdline_split_partial),
	TEST(test_cmdline_opts),
	TEST(test_cmdline_user),
	TEST(test_cmdline_getopts),
	TEST(test_cmdline_batch),
	TEST(test_cmdline_target),
	TEST(test_cmdline_quote_roundtrip),
	TEST(test_cmdline_word_index),
	CU_TEST_INFO_NULL,
};
