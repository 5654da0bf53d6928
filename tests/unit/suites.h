/*
 * suites.h -- the one list of the unit-test runner's CUnit suites.  Each
 * test_<module>.c defines the table tests_<module>[] of its tests (TEST
 * rows, then CU_TEST_INFO_NULL); adding a module is one line here.
 */

#ifndef TESTS_UNIT_SUITES_H
#define TESTS_UNIT_SUITES_H

#define TEST_SUITES(X)							\
	X(frame)							\
	X(proto)							\
	X(path)								\
	X(xio)								\
	X(conn)								\
	X(body)								\
	X(digest)							\
	X(log)								\
	X(cmdline)							\
	X(progress)							\
	X(glob)								\
	X(exitcode)							\
	X(options)							\
	X(resolve)							\
	X(partial)							\
	X(remote)							\
	X(rcache)							\
	X(print)							\
	X(users)							\
	X(auth)								\
	X(netrc)							\
	X(space)							\
	X(scoreboard)							\
	X(sandbox)							\
	X(acl)								\
	X(addrtab)							\
	X(walk)

#include <CUnit/CUnit.h>

/* A row of a tests_<module>[] table: the function under its own name. */
#define TEST(fn)	{ #fn, fn }

#define TEST_SUITE_DECLARE(name)	extern CU_TestInfo tests_##name[];
TEST_SUITES(TEST_SUITE_DECLARE)

#endif /* TESTS_UNIT_SUITES_H */
