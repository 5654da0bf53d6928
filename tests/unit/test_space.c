/*
 * test_space.c -- room for uploads (server/space.c): reservations per
 * worker slot against --max-partial in bytes or percent, the kept
 * partials' total, the count limit, the free space of the file system,
 * and sizes near 2^64 without overflow.
 */

#include <sys/types.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "space.h"
#include "suites.h"
#include "testutil.h"

static void	test_space_limit_bytes(void);
static void	test_space_kept(void);
static void	test_space_count(void);
static void	test_space_disk(void);
static void	test_space_pct(void);
static void	test_space_count_due(void);

/* A space table over a temporary folder, its limit, the refusal's words. */
struct spt {
	struct space		*sp;
	struct space_limit	 lim;
	int			 fd;
	char			 dir[256];
	char			 why[256];
};

static void	sp_begin(struct spt *, int, uint64_t, int);
static void	sp_end(struct spt *);
static int	sp_reserve(struct spt *, int, uint64_t, uint64_t);

/*
 * A table of nslots over a new temporary folder, limited to bytes or pct
 * of the file system (0 and -1: none); fails the test if not.
 */
static void
sp_begin(struct spt *t, int nslots, uint64_t bytes, int pct)
{
	t->lim.bytes = bytes;
	t->lim.pct = pct;
	CU_ASSERT_FATAL(tu_temp_dir(t->dir, sizeof(t->dir)) != -1);
	t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(t->fd != -1);
	CU_ASSERT_FATAL((t->sp = space_create(nslots)) != NULL);
}

static void
sp_end(struct spt *t)
{
	space_destroy(t->sp);
	close(t->fd);
	tu_remove_tree(t->dir);
}

/* space_reserve for slot in t's folder; the reason lands in t->why. */
static int
sp_reserve(struct spt *t, int slot, uint64_t size, uint64_t have)
{
	return space_reserve(t->sp, slot, t->fd, size, have, &t->lim, t->why,
	    sizeof(t->why));
}

/* Three uploads of 100 bytes against a limit of 250: the third waits. */
static void
test_space_limit_bytes(void)
{
	struct spt		 t;
	uint64_t		 b, n;

	sp_begin(&t, 4, 250, -1);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, 100, 0), 0);
	CU_ASSERT_EQUAL(sp_reserve(&t, 1, 100, 0), 0);
	errno = 0;
	CU_ASSERT_EQUAL(sp_reserve(&t, 2, 100, 0), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT(strstr(t.why, "limit of 250") != NULL);
	space_held(t.sp, &b, &n);
	CU_ASSERT_EQUAL(b, 200);
	CU_ASSERT_EQUAL(n, 2);
	/* a slot freed (its upload ended, or its worker was reaped) */
	space_release(t.sp, 0);
	CU_ASSERT_EQUAL(sp_reserve(&t, 2, 100, 0), 0);
	/* one bigger than the limit alone, and sizes near 2^64 */
	CU_ASSERT_EQUAL(sp_reserve(&t, 3, 251, 0), -1);
	t.lim.bytes = UINT64_MAX;
	CU_ASSERT_EQUAL(sp_reserve(&t, 3, UINT64_MAX - 10, UINT64_MAX - 10),
	    -1);
	space_held(t.sp, &b, &n);
	CU_ASSERT_EQUAL(b, 200);
	/* no limit at all */
	t.lim.bytes = 0;
	CU_ASSERT_EQUAL(sp_reserve(&t, 3, 1000, 0), 0);
	sp_end(&t);
}

/* Kept partials count against the limit; taking never goes below 0. */
static void
test_space_kept(void)
{
	struct spt		 t;
	uint64_t		 b, n;

	sp_begin(&t, 2, 1000, -1);
	space_kept_add(t.sp, 700);
	space_kept_add(t.sp, 200);
	space_held(t.sp, &b, &n);
	CU_ASSERT(b == 900 && n == 2);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, 200, 0), -1);
	CU_ASSERT(strstr(t.why, "hold 900") != NULL);
	space_kept_take(t.sp, 700);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, 200, 0), 0);
	space_release(t.sp, 0);
	space_kept_take(t.sp, 5000);
	space_kept_take(t.sp, 1);
	space_held(t.sp, &b, &n);
	CU_ASSERT(b == 0 && n == 0);
	space_kept_set(t.sp, 42, 3);
	space_held(t.sp, &b, &n);
	CU_ASSERT(b == 42 && n == 3);
	sp_end(&t);
}

/* SPACE_PARTIALS_MAX unfinished uploads: the next is refused. */
static void
test_space_count(void)
{
	struct spt		 t;

	sp_begin(&t, 2, 0, -1);
	space_kept_set(t.sp, 0, SPACE_PARTIALS_MAX - 1);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, 1, 0), 0);
	CU_ASSERT_EQUAL(sp_reserve(&t, 1, 1, 0), -1);
	CU_ASSERT(strstr(t.why, "unfinished uploads already") != NULL);
	sp_end(&t);
}

/*
 * Bigger than the free space: refused, with or without a table; a
 * resume needs only what is missing.
 */
static void
test_space_disk(void)
{
	struct statvfs		 vfs;
	struct spt		 t;
	uint64_t		 avail;

	sp_begin(&t, 1, 0, -1);
	CU_ASSERT_FATAL(fstatvfs(t.fd, &vfs) == 0);
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	CU_ASSERT_EQUAL(space_reserve(NULL, 0, t.fd, avail + (1 << 30), 0,
	    &t.lim, t.why, sizeof(t.why)), -1);
	CU_ASSERT(strstr(t.why, "free") != NULL);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, INT64_MAX, 0), -1);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, avail + (1 << 30),
	    avail + (1 << 30) - 10), 0);
	sp_end(&t);
}

/* A percentage of the file system's size; 0 % is no limit. */
static void
test_space_pct(void)
{
	struct statvfs		 vfs;
	struct spt		 t;

	sp_begin(&t, 1, 0, 100);
	CU_ASSERT_FATAL(fstatvfs(t.fd, &vfs) == 0);
	space_kept_add(t.sp, (uint64_t)vfs.f_blocks * vfs.f_frsize);
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, 1, 0), -1);
	t.lim.pct = 0;
	CU_ASSERT_EQUAL(sp_reserve(&t, 0, 1, 0), 0);
	sp_end(&t);
}

/* The first count is due once, to one caller. */
static void
test_space_count_due(void)
{
	struct space	*sp;

	CU_ASSERT_FATAL((sp = space_create(1)) != NULL);
	CU_ASSERT_EQUAL(space_count_due(sp), 1);
	CU_ASSERT_EQUAL(space_count_due(sp), 0);
	space_kept_set(sp, 0, 0);
	CU_ASSERT_EQUAL(space_count_due(sp), 0);
	CU_ASSERT_EQUAL(space_count_due(NULL), 0);
	space_destroy(sp);
}

CU_TestInfo tests_space[] = {
	TEST(test_space_limit_bytes),
	TEST(test_space_kept),
	TEST(test_space_count),
	TEST(test_space_disk),
	TEST(test_space_pct),
	TEST(test_space_count_due),
	CU_TEST_INFO_NULL,
};
