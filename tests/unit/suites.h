/*
 * suites.h -- every CUnit suite of the unit-test runner.  Each
 * test_<module>.c defines one suite_<module>() that registers its suite;
 * main.c calls them all from its table.
 */

#ifndef TESTS_UNIT_SUITES_H
#define TESTS_UNIT_SUITES_H

void	suite_frame(void);
void	suite_proto(void);
void	suite_path(void);
void	suite_xio(void);
void	suite_conn(void);
void	suite_digest(void);
void	suite_log(void);
void	suite_cmdline(void);
void	suite_progress(void);
void	suite_glob(void);
void	suite_exitcode(void);

#endif /* TESTS_UNIT_SUITES_H */
