/*
 * main.c -- the unit-test runner: registers every suite of suites.h,
 * runs them (or only the suites named on the command line) and prints
 * the CUnit summary, then one line "unit: N passed, N failed" counted in
 * tests, for scripts.  Exits 1 when any assertion failed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "suites.h"

#define TEST_SUITE_ENTRY(name)	{ #name, NULL, NULL, NULL, NULL, tests_##name },
static CU_SuiteInfo	suites[] = {
	TEST_SUITES(TEST_SUITE_ENTRY)
	CU_SUITE_INFO_NULL,
};

static int	run_named(int, char **);

/*
 * Keep only the suites named in argv active, so that one run counts all
 * of them; 0, or -1 if one does not exist.
 */
static int
run_named(int argc, char **argv)
{
	CU_pSuite	 s;
	int		 i;

	for (s = CU_get_registry()->pSuite; s != NULL; s = s->pNext) {
		CU_set_suite_active(s, CU_FALSE);
	}
	for (i = 1; i < argc; i++) {
		if ((s = CU_get_suite(argv[i])) == NULL) {
			fprintf(stderr, "unit-tests: no suite %s\n", argv[i]);
			return -1;
		}
		CU_set_suite_active(s, CU_TRUE);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int	 run, failed;
	int		 bad;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: %s\n", CU_get_error_msg());
		return 1;
	}
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1 && run_named(argc, argv) == -1) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	bad = CU_get_number_of_failures() > 0;
	printf("unit: %u passed, %u failed\n", run - failed, failed);
	CU_cleanup_registry();
	return bad ? 1 : 0;
}
