/*
 * test_exitcode.c -- the exit statuses of tfs: session outcomes mapped
 * to 0/1/2/3/4, the worse status winning, when a batch goes on and what
 * a '-' line's failure does to its status, and the interactive shell's
 * status.  Never 0 after a failure that counts.
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
	CU_ASSERT_EQUAL(exitcode_from_sess(SESS_REFUSED), 4);
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
	CU_ASSERT_EQUAL(exitcode_merge(ST_REFUSED, ST_LOST), ST_REFUSED);
	CU_ASSERT_EQUAL(exitcode_merge(ST_FAIL, ST_REFUSED), ST_REFUSED);
	/* never 0 once something failed, whatever comes after */
	for (a = -1; a <= 6; a++) {
		for (b = -1; b <= 6; b++) {
			m = exitcode_merge(a, b);
			CU_ASSERT(m >= 0 && m <= 4);
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
	/* AUTH_REQUIRED on a '-' line: the batch may go on */
	CU_ASSERT_TRUE(exitcode_batch_continue(ST_REFUSED, 1, 0));
	CU_ASSERT_FALSE(exitcode_batch_continue(ST_REFUSED, 0, 0));
}

static void
test_exitcode_batch_merge(void)
{
	/* a '-' line's failure does not change the status */
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_FAIL, 1, 0), ST_OK);
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_USAGE, 1, 0), ST_OK);
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_REFUSED, 1, 0),
	    ST_OK);
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_FAIL, ST_OK, 1, 0), ST_FAIL);
	/* ... unless it ends the batch: a lost connection, Ctrl-C */
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_LOST, 1, 0), ST_LOST);
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_FAIL, 1, 1), ST_FAIL);
	/* a plain line's failure counts */
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_FAIL, 0, 0), ST_FAIL);
	CU_ASSERT_EQUAL(exitcode_batch_merge(ST_OK, ST_REFUSED, 0, 0),
	    ST_REFUSED);
}

static void
test_exitcode_interactive(void)
{
	CU_ASSERT_EQUAL(exitcode_interactive(SESS_OK), ST_OK);
	CU_ASSERT_EQUAL(exitcode_interactive(SESS_LOST), ST_LOST);
	CU_ASSERT_EQUAL(exitcode_interactive(SESS_REFUSED), ST_REFUSED);
	CU_ASSERT_EQUAL(exitcode_clamp(0), 0);
	CU_ASSERT_EQUAL(exitcode_clamp(3), 3);
	CU_ASSERT_EQUAL(exitcode_clamp(4), 4);
	CU_ASSERT_EQUAL(exitcode_clamp(5), 1);
	CU_ASSERT_EQUAL(exitcode_clamp(-2), 1);
	CU_ASSERT_EQUAL(exitcode_clamp(130), 1);
}

CU_TestInfo tests_exitcode[] = {
	TEST(test_exitcode_from_sess),
	TEST(test_exitcode_merge),
	TEST(test_exitcode_batch),
	TEST(test_exitcode_batch_merge),
	TEST(test_exitcode_interactive),
	CU_TEST_INFO_NULL,
};
