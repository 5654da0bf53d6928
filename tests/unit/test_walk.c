/*
 * test_walk.c -- local trees for put -R and mirror -R (walk.c): files
 * and folders found and sorted, links followed inside the tree and
 * skipped out of it, loops and special files skipped, names the server
 * cannot take left out; a tree turned into a plan (plan.c) with its
 * folders before their contents; and local wildcards (expand.c).
 */

#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "exitcode.h"
#include "expand.h"
#include "plan.h"
#include "suites.h"
#include "testutil.h"
#include "walk.h"

static void	mk(const char *, const char *, const char *);

/* A file (data not NULL) or a folder at top/rel. */
static void
mk(const char *top, const char *rel, const char *data)
{
	char	 p[PATH_MAX];
	FILE	*fp;

	(void)snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (data == NULL) {
		CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
		return;
	}
	fp = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	(void)fputs(data, fp);
	(void)fclose(fp);
}

static void
test_walk_local(void)
{
	struct wtree	 t = { NULL, 0, 0 };
	char		 top[512], p[PATH_MAX], q[PATH_MAX];
	const char	*want[] = { "a.txt", "d", "d/b.txt", "d/e",
			    "in.txt", "ind" };
	FILE		*saved;
	size_t		 i;
	int		 st;

	CU_ASSERT_EQUAL_FATAL(tu_temp_dir(top, sizeof(top)), 0);
	mk(top, "a.txt", "a");
	mk(top, "d", NULL);
	mk(top, "d/b.txt", "bb");
	mk(top, "d/e", NULL);
	(void)snprintf(p, sizeof(p), "%s/d/b.txt", top);
	(void)snprintf(q, sizeof(q), "%s/in.txt", top);
	CU_ASSERT_EQUAL(symlink(p, q), 0);	/* inside: followed */
	(void)snprintf(p, sizeof(p), "%s/d/e", top);
	(void)snprintf(q, sizeof(q), "%s/ind", top);
	CU_ASSERT_EQUAL(symlink(p, q), 0);	/* a folder inside */
	(void)snprintf(q, sizeof(q), "%s/out", top);
	CU_ASSERT_EQUAL(symlink("/etc", q), 0);	/* out: skipped */
	(void)snprintf(q, sizeof(q), "%s/d/e/up", top);
	CU_ASSERT_EQUAL(symlink(top, q), 0);	/* a loop: skipped */
	(void)snprintf(q, sizeof(q), "%s/fifo", top);
	CU_ASSERT_EQUAL(mkfifo(q, 0644), 0);	/* special: skipped */
	mk(top, ".tfs-part-x", "reserved");	/* the server's: skipped */

	saved = stderr;
	stderr = fopen("/dev/null", "w");
	st = walk_local("test", top, &t);
	(void)fclose(stderr);
	stderr = saved;

	CU_ASSERT_EQUAL(st, ST_FAIL);
	CU_ASSERT_EQUAL(t.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < t.n && i < sizeof(want) / sizeof(want[0]); i++) {
		CU_ASSERT_STRING_EQUAL(t.v[i].rel, want[i]);
	}
	CU_ASSERT_PTR_NOT_NULL(walk_find(&t, "d/b.txt"));
	CU_ASSERT_EQUAL(walk_find(&t, "d/b.txt")->size, 2);
	CU_ASSERT_EQUAL(walk_find(&t, "ind")->kind, TFS_KIND_DIR);
	CU_ASSERT_PTR_NULL(walk_find(&t, "out"));
	CU_ASSERT_PTR_NULL(walk_find(&t, "nope"));
	walk_free(&t);
	tu_remove_tree(top);
}

static void
test_walk_plan(void)
{
	struct wtree	 t = { NULL, 0, 0 };
	struct plan	 p;
	char		 top[512];
	size_t		 i, j;

	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL_FATAL(tu_temp_dir(top, sizeof(top)), 0);
	mk(top, "z", NULL);
	mk(top, "z/y.txt", "yyy");
	mk(top, "a.txt", "a");
	CU_ASSERT_EQUAL(walk_local("test", top, &t), ST_OK);
	CU_ASSERT_EQUAL(walk_plan(&p, &t, 1, top, "remote/dir", "typed", 7),
	    0);
	CU_ASSERT_EQUAL(p.n, 4);
	CU_ASSERT_EQUAL(p.files, 2);
	CU_ASSERT_EQUAL(p.bytes, 4);
	CU_ASSERT_EQUAL(p.v[0].kind, PLAN_DIR);
	CU_ASSERT_STRING_EQUAL(p.v[0].dst, "remote/dir");
	CU_ASSERT_EQUAL(p.v[0].mtime, 7);
	/* every folder comes before what is in it */
	for (i = 0; i < p.n; i++) {
		for (j = i + 1; j < p.n; j++) {
			/* no later folder holds an earlier step */
			CU_ASSERT(p.v[j].kind != PLAN_DIR ||
			    strncmp(p.v[i].dst, p.v[j].dst,
			    strlen(p.v[j].dst)) != 0 ||
			    p.v[i].dst[strlen(p.v[j].dst)] != '/');
		}
	}
	CU_ASSERT_STRING_EQUAL(p.v[3].dst, "remote/dir/z/y.txt");
	CU_ASSERT_STRING_EQUAL(p.v[3].shown, "typed/z/y.txt");
	plan_free(&p);
	walk_free(&t);
	tu_remove_tree(top);
}

static void
test_walk_join(void)
{
	char	 out[16];

	CU_ASSERT_EQUAL(walk_join("", "b", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "b");
	CU_ASSERT_EQUAL(walk_join("a", "", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "a");
	CU_ASSERT_EQUAL(walk_join("a/", "b", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "a/b");
	CU_ASSERT_EQUAL(walk_join("/", "b", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/b");
	CU_ASSERT_EQUAL(walk_join("abcdefgh", "ijklmnop", out, sizeof(out)),
	    -1);
}

static void
test_walk_expand_local(void)
{
	struct xpaths	 x = { NULL, 0, 0 };
	char		 top[512], pat[PATH_MAX];

	CU_ASSERT_EQUAL_FATAL(tu_temp_dir(top, sizeof(top)), 0);
	mk(top, "d1", NULL);
	mk(top, "d2", NULL);
	mk(top, "d1/x.txt", "x");
	mk(top, "d2/y.txt", "y");
	mk(top, "d2/.h.txt", "h");
	(void)snprintf(pat, sizeof(pat), "%s/d*/*.txt", top);
	CU_ASSERT_EQUAL(expand_local(pat, &x), 0);
	CU_ASSERT_EQUAL(x.n, 2);
	CU_ASSERT(x.n == 2 && x.v[0].matched && x.v[1].matched);
	expand_free(&x);
	(void)snprintf(pat, sizeof(pat), "%s/none*", top);
	CU_ASSERT_EQUAL(expand_local(pat, &x), -1);
	CU_ASSERT_EQUAL(x.n, 0);
	/* no wildcard: the word itself, there or not */
	CU_ASSERT_EQUAL(expand_local("plain name", &x), 0);
	CU_ASSERT(x.n == 1 && strcmp(x.v[0].path, "plain name") == 0 &&
	    !x.v[0].matched);
	expand_free(&x);
	tu_remove_tree(top);
}

CU_TestInfo tests_walk[] = {
	TEST(test_walk_local),
	TEST(test_walk_plan),
	TEST(test_walk_join),
	TEST(test_walk_expand_local),
	CU_TEST_INFO_NULL,
};
