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

static int	sp_open(char *, size_t);

/* A temporary folder's descriptor, its path in dir.  -1 on failure. */
static int
sp_open(char *dir, size_t dirsz)
{
	if (tu_temp_dir(dir, dirsz) == -1) {
		return -1;
	}
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Three uploads of 100 bytes against a limit of 250: the third waits. */
static void
test_space_limit_bytes(void)
{
	struct space_limit	 lim = { 250, -1 };
	struct space		*sp;
	uint64_t		 b, n;
	char			 dir[256], why[256];
	int			 fd;

	CU_ASSERT_FATAL((fd = sp_open(dir, sizeof(dir))) != -1);
	CU_ASSERT_FATAL((sp = space_create(4)) != NULL);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, 100, 0, &lim, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(space_reserve(sp, 1, fd, 100, 0, &lim, why,
	    sizeof(why)), 0);
	errno = 0;
	CU_ASSERT_EQUAL(space_reserve(sp, 2, fd, 100, 0, &lim, why,
	    sizeof(why)), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT(strstr(why, "limit of 250") != NULL);
	space_held(sp, &b, &n);
	CU_ASSERT_EQUAL(b, 200);
	CU_ASSERT_EQUAL(n, 2);
	/* a slot freed (its upload ended, or its worker was reaped) */
	space_release(sp, 0);
	CU_ASSERT_EQUAL(space_reserve(sp, 2, fd, 100, 0, &lim, why,
	    sizeof(why)), 0);
	/* one bigger than the limit alone, and sizes near 2^64 */
	CU_ASSERT_EQUAL(space_reserve(sp, 3, fd, 251, 0, &lim, why,
	    sizeof(why)), -1);
	lim.bytes = UINT64_MAX;
	CU_ASSERT_EQUAL(space_reserve(sp, 3, fd, UINT64_MAX - 10, UINT64_MAX
	    - 10, &lim, why, sizeof(why)), -1);
	space_held(sp, &b, &n);
	CU_ASSERT_EQUAL(b, 200);
	/* no limit at all */
	lim.bytes = 0;
	CU_ASSERT_EQUAL(space_reserve(sp, 3, fd, 1000, 0, &lim, why,
	    sizeof(why)), 0);
	space_destroy(sp);
	close(fd);
	tu_remove_tree(dir);
}

/* Kept partials count against the limit; taking never goes below 0. */
static void
test_space_kept(void)
{
	struct space_limit	 lim = { 1000, -1 };
	struct space		*sp;
	uint64_t		 b, n;
	char			 dir[256], why[256];
	int			 fd;

	CU_ASSERT_FATAL((fd = sp_open(dir, sizeof(dir))) != -1);
	CU_ASSERT_FATAL((sp = space_create(2)) != NULL);
	space_kept_add(sp, 700);
	space_kept_add(sp, 200);
	space_held(sp, &b, &n);
	CU_ASSERT(b == 900 && n == 2);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, 200, 0, &lim, why,
	    sizeof(why)), -1);
	CU_ASSERT(strstr(why, "hold 900") != NULL);
	space_kept_take(sp, 700);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, 200, 0, &lim, why,
	    sizeof(why)), 0);
	space_release(sp, 0);
	space_kept_take(sp, 5000);
	space_kept_take(sp, 1);
	space_held(sp, &b, &n);
	CU_ASSERT(b == 0 && n == 0);
	space_kept_set(sp, 42, 3);
	space_held(sp, &b, &n);
	CU_ASSERT(b == 42 && n == 3);
	space_destroy(sp);
	close(fd);
	tu_remove_tree(dir);
}

/* SPACE_PARTIALS_MAX unfinished uploads: the next is refused. */
static void
test_space_count(void)
{
	struct space_limit	 lim = { 0, -1 };
	struct space		*sp;
	char			 dir[256], why[256];
	int			 fd;

	CU_ASSERT_FATAL((fd = sp_open(dir, sizeof(dir))) != -1);
	CU_ASSERT_FATAL((sp = space_create(2)) != NULL);
	space_kept_set(sp, 0, SPACE_PARTIALS_MAX - 1);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, 1, 0, &lim, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(space_reserve(sp, 1, fd, 1, 0, &lim, why,
	    sizeof(why)), -1);
	CU_ASSERT(strstr(why, "unfinished uploads already") != NULL);
	space_destroy(sp);
	close(fd);
	tu_remove_tree(dir);
}

/*
 * Bigger than the free space: refused, with or without a table; a
 * resume needs only what is missing.
 */
static void
test_space_disk(void)
{
	struct space_limit	 lim = { 0, -1 };
	struct statvfs		 vfs;
	struct space		*sp;
	uint64_t		 avail;
	char			 dir[256], why[256];
	int			 fd;

	CU_ASSERT_FATAL((fd = sp_open(dir, sizeof(dir))) != -1);
	CU_ASSERT_FATAL(fstatvfs(fd, &vfs) == 0);
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	CU_ASSERT_FATAL((sp = space_create(1)) != NULL);
	CU_ASSERT_EQUAL(space_reserve(NULL, 0, fd, avail + (1 << 30), 0,
	    &lim, why, sizeof(why)), -1);
	CU_ASSERT(strstr(why, "free") != NULL);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, INT64_MAX, 0, &lim, why,
	    sizeof(why)), -1);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, avail + (1 << 30),
	    avail + (1 << 30) - 10, &lim, why, sizeof(why)), 0);
	space_destroy(sp);
	close(fd);
	tu_remove_tree(dir);
}

/* A percentage of the file system's size; 0 % is no limit. */
static void
test_space_pct(void)
{
	struct space_limit	 lim = { 0, 100 };
	struct statvfs		 vfs;
	struct space		*sp;
	uint64_t		 total;
	char			 dir[256], why[256];
	int			 fd;

	CU_ASSERT_FATAL((fd = sp_open(dir, sizeof(dir))) != -1);
	CU_ASSERT_FATAL(fstatvfs(fd, &vfs) == 0);
	total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	CU_ASSERT_FATAL((sp = space_create(1)) != NULL);
	space_kept_add(sp, total);
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, 1, 0, &lim, why,
	    sizeof(why)), -1);
	lim.pct = 0;
	CU_ASSERT_EQUAL(space_reserve(sp, 0, fd, 1, 0, &lim, why,
	    sizeof(why)), 0);
	space_destroy(sp);
	close(fd);
	tu_remove_tree(dir);
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
