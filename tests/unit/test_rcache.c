/*
 * test_rcache.c -- the listings completion reuses (rcache.c): a fresh
 * listing is served without a request, a stale one is listed again,
 * and a command's change forgets exactly the folder it touched.
 */

#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "rcache.h"
#include "suites.h"
#include "testsrv.h"
#include "xio.h"

static void	put(struct rcache *, size_t, const char *, int64_t);
static int	held(const struct rcache *, const char *);

static void	test_rcache_forget(void);
static void	test_rcache_fresh_stale(void);

/* Slot i holds an empty listing of dir, listed at when. */
static void
put(struct rcache *c, size_t i, const char *dir, int64_t when)
{
	c->slot[i].dir = strdup(dir);
	c->slot[i].when = when;
}

static int
held(const struct rcache *c, const char *dir)
{
	size_t	 i;

	for (i = 0; i < RCACHE_SLOTS; i++) {
		if (c->slot[i].dir != NULL &&
		    strcmp(c->slot[i].dir, dir) == 0) {
			return 1;
		}
	}
	return 0;
}

static void
test_rcache_forget(void)
{
	struct rcache	 c;
	int64_t		 now = xio_now_ms();

	memset(&c, 0, sizeof(c));
	put(&c, 0, "", now);
	put(&c, 1, "a", now);
	put(&c, 2, "a/b", now);
	put(&c, 3, "ab", now);
	rcache_forget_parent(&c, "a/b/c");
	CU_ASSERT_FALSE(held(&c, "a/b"));
	CU_ASSERT_TRUE(held(&c, "a"));
	rcache_forget_parent(&c, "x");
	CU_ASSERT_FALSE(held(&c, ""));
	CU_ASSERT_TRUE(held(&c, "a"));
	rcache_forget(&c, "a");
	CU_ASSERT_FALSE(held(&c, "a"));
	CU_ASSERT_TRUE(held(&c, "ab"));
	rcache_clear(&c);
	CU_ASSERT_FALSE(held(&c, "ab"));
}

/* A fresh listing costs no request; a stale one is listed again. */
static void
test_rcache_fresh_stale(void)
{
	struct testsrv_step	 step = { TFS_LIST, { { 0 } }, 0 };
	struct rcache		 c;
	struct session		 s;
	const struct rlist	*l;
	pid_t			 pid;

	memset(&c, 0, sizeof(c));
	put(&c, 0, "new", xio_now_ms());
	put(&c, 1, "old", xio_now_ms() - RCACHE_MS - 1);
	step.rep[step.n++] = testsrv_entry(TFS_KIND_FILE, "f", 1);
	step.rep[step.n++] = testsrv_end_count(1);
	CU_ASSERT_FATAL((pid = testsrv_start(&s, &step, 1)) > 0);
	l = rcache_get(&c, &s, "new");
	CU_ASSERT_PTR_EQUAL(l, &c.slot[0].list);
	l = rcache_get(&c, &s, "old");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL_FATAL(l->n, 1);
	CU_ASSERT_STRING_EQUAL(l->ents[0].name, "f");
	/* the child fails unless exactly one LIST came */
	CU_ASSERT_EQUAL(testsrv_end(&s, pid), 0);
	rcache_clear(&c);
}

CU_TestInfo tests_rcache[] = {
	TEST(test_rcache_forget),
	TEST(test_rcache_fresh_stale),
	CU_TEST_INFO_NULL,
};
