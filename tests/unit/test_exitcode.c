/*
 * test_exitcode.c -- the exit statuses of tfs: session outcomes mapped
 * to 0/1/2/3, the worse status winning, when a batch goes on, and the
 * interactive shell's status.  Never 0 after a failure.
 */

#include <CUnit/CUnit.h>

#include "exitcode.h"
#include "session.h"
#include "suites.h"

static void
test_exitcode_from_sess(void)
{
	CU_ASSERT_EQUAL(exitcode_from_sess(SESS_OK), 0);
	CU_ASSERT_EQUAL(exitcode_from_sess(SESS_ERROR), 1);
	CU_ASSERT_EQUAL(exitcode_from_sess(SESS_PROTO), 1);
	CU_ASSERT_EQUAL(exitcode_from_sess(SESS_INTR), 1);
	CU_ASSERT_EQUAL(exitcode_from_sess(SESS_LOST), 3);
	/* anything unknown is a failure, never success */
	CU_ASSERT_EQUAL(exitcode_from_sess(99), 1);
	CU_ASSERT_EQUAL(exitcode_from_sess(-1), 1);
}

static void
test_exitcode_merge(void)
{
	int	 a, b, m;

	CU_ASSERT_EQUAL(exitcode_merge(ST_OK, ST_OK), ST_OK);
	CU_ASSERT_EQUAL(exitcode_merge(ST_OK, ST_FAIL), ST_FAIL);
	CU_ASSERT_EQUAL(exitcode_merge(ST_FAIL, ST_OK), ST_FAIL);
	CU_ASSERT_EQUAL(exitcode_merge(ST_FAIL, ST_USAGE), ST_USAGE);
	CU_ASSERT_EQUAL(exitcode_merge(ST_LOST, ST_FAIL), ST_LOST);
	CU_ASSERT_EQUAL(exitcode_merge(ST_OK, 42), ST_FAIL);
	/* never 0 once something failed, whatever comes after */
	for (a = -1; a <= 5; a++) {
		for (b = -1; b <= 5; b++) {
			m = exitcode_merge(a, b);
			CU_ASSERT(m >= 0 && m <= 3);
			if (a != ST_OK || b != ST_OK) {
				CU_ASSERT(m != ST_OK);
			}
		}
	}
}

static void
test_exitcode_batch(void)
{
	CU_ASSERT_TRUE(exitcode_batch_continue(ST_OK, 0, 0));
	CU_ASSERT_TRUE(exitcode_batch_continue(ST_OK, 1, 0));
	CU_ASSERT_FALSE(exitcode_batch_continue(ST_FAIL, 0, 0));
	CU_ASSERT_TRUE(exitcode_batch_continue(ST_FAIL, 1, 0));
	CU_ASSERT_FALSE(exitcode_batch_continue(ST_USAGE, 0, 0));
	CU_ASSERT_TRUE(exitcode_batch_continue(ST_USAGE, 1, 0));
	/* a lost connection or Ctrl-C ends the batch even under '-' */
	CU_ASSERT_FALSE(exitcode_batch_continue(ST_LOST, 1, 0));
	CU_ASSERT_FALSE(exitcode_batch_continue(ST_OK, 1, 1));
	CU_ASSERT_FALSE(exitcode_batch_continue(ST_FAIL, 1, 1));
}

static void
test_exitcode_interactive(void)
{
	CU_ASSERT_EQUAL(exitcode_interactive(0), ST_OK);
	CU_ASSERT_EQUAL(exitcode_interactive(1), ST_LOST);
	CU_ASSERT_EQUAL(exitcode_clamp(0), 0);
	CU_ASSERT_EQUAL(exitcode_clamp(3), 3);
	CU_ASSERT_EQUAL(exitcode_clamp(4), 1);
	CU_ASSERT_EQUAL(exitcode_clamp(-2), 1);
	CU_ASSERT_EQUAL(exitcode_clamp(130), 1);
}

CU_TestInfo tests_exitcode[] = {
	TEST(test_exitcode_from_sess),
	TEST(test_exitcode_merge),
	TEST(test_exitcode_batch),
	TEST(test_exitcode_interactive),
	CU_TEST_INFO_NULL,
};
