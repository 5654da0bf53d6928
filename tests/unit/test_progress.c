/*
 * test_progress.c -- the progress line of tfs: it never exceeds the
 * width it is given, shows the fields that fit (percent first), units in
 * at most four characters, ETA and elapsed times, "- stalled -", and the
 * final and total lines.
 */

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "progress.h"
#include "suites.h"

static void
test_progress_widths(void)
{
	static const char	*names[] = {
		"a", "big.iso", "a-rather-long-file-name-for-a-bar.tar.gz",
		"r\xc3\xa9sum\xc3\xa9-\xc3\xa9t\xc3\xa9-\xc3\xa9t\xc3\xa9-"
		"\xc3\xa9t\xc3\xa9.txt",
		"",
	};
	struct progress_view	 v;
	char			 buf[512];
	size_t			 i, n;
	int			 w, st;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (st = 0; st < 2; st++) {
			for (w = 0; w <= 300; w++) {
				memset(&v, 0, sizeof(v));
				v.name = names[i];
				v.done = 123456789;
				v.total = 987654321;
				v.rate = 12.5 * 1024 * 1024;
				v.stalled = st;
				n = progress_format(buf, sizeof(buf), &v, w);
				CU_ASSERT(n == strlen(buf));
				CU_ASSERT(n <= (size_t)w);
				/* the full line fills the width exactly */
				if (w >= 60 && w < 300) {
					CU_ASSERT(n == (size_t)w);
				}
				if (w >= 5) {
					CU_ASSERT_PTR_NOT_NULL(strstr(buf,
					    " 12%"));
				}
			}
		}
	}
	/* a small buffer bounds the line too */
	v.name = "x";
	n = progress_format(buf, 10, &v, 200);
	CU_ASSERT(n < 10);
	CU_ASSERT_EQUAL(progress_format(buf, 0, &v, 80), 0);
}

static void
test_progress_fields(void)
{
	struct progress_view	 v = { "big.iso", 512 * 1024 * 1024,
	    1024 * 1024 * 1024, 64.0 * 1024 * 1024, 0 };
	char			 buf[512];

	(void)progress_format(buf, sizeof(buf), &v, 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "big.iso"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 50%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "512M"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "64M/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA 0:08"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "[====="));

	/* narrow: the bar goes first, then the rate, then the bytes */
	(void)progress_format(buf, sizeof(buf), &v, 40);
	CU_ASSERT_PTR_NULL(strchr(buf, '['));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA"));
	(void)progress_format(buf, sizeof(buf), &v, 22);
	CU_ASSERT_PTR_NULL(strstr(buf, "M/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 50%"));

	/* unknown rate */
	v.rate = 0;
	(void)progress_format(buf, sizeof(buf), &v, 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA --:--"));

	/* done, and an empty file */
	v.done = v.total;
	(void)progress_format(buf, sizeof(buf), &v, 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA 0:00"));
	v.done = v.total = 0;
	(void)progress_format(buf, sizeof(buf), &v, 100);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100%"));

	/* a long name is cut with "..." */
	v.name = "a-very-long-name-that-cannot-possibly-fit-in-the-"
	    "space-left-by-the-fields.bin";
	(void)progress_format(buf, sizeof(buf), &v, 60);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "..."));
	CU_ASSERT_EQUAL(strlen(buf), 60);
}

static void
test_progress_stalled(void)
{
	struct progress_view	 v = { "f", 10, 100, 1000.0, 1 };
	char			 buf[256];

	(void)progress_format(buf, sizeof(buf), &v, 80);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "- stalled -"));
	CU_ASSERT_PTR_NULL(strstr(buf, "ETA"));
	/* "stalled" outlives the rate when the line gets narrow */
	(void)progress_format(buf, sizeof(buf), &v, 25);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "- stalled -"));
	v.stalled = 0;
	(void)progress_format(buf, sizeof(buf), &v, 80);
	CU_ASSERT_PTR_NULL(strstr(buf, "stalled"));
	CU_ASSERT_TRUE(PROGRESS_STALL_MS == 5000);
	CU_ASSERT_TRUE(PROGRESS_INTERVAL_MS >= 250);
}

static void
test_progress_units(void)
{
	static const struct {
		uint64_t	 n;
		const char	*want;
	} u[] = {
		{ 0, "0B" }, { 999, "999B" }, { 1000, "1.0K" },
		{ 1024, "1.0K" }, { 1536, "1.5K" }, { 10 * 1024, "10K" },
		{ 999 * 1024, "999K" }, { 1024 * 1024, "1.0M" },
		{ 1073741824ULL, "1.0G" }, { 5000000000ULL, "4.7G" },
		{ 3298534883328ULL, "3.0T" },
	};
	char	 buf[8];
	size_t	 i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		CU_ASSERT_STRING_EQUAL(progress_bytes(buf, sizeof(buf),
		    u[i].n), u[i].want);
		CU_ASSERT(strlen(buf) <= 4);
	}
	/* the largest values still fit in four characters */
	(void)progress_bytes(buf, sizeof(buf), UINT64_MAX);
	CU_ASSERT(strlen(buf) <= 4);
}

static void
test_progress_eta(void)
{
	char	 buf[16];

	CU_ASSERT_EQUAL(progress_eta(0, 100, 10.0), 10);
	CU_ASSERT_EQUAL(progress_eta(50, 100, 10.0), 5);
	CU_ASSERT_EQUAL(progress_eta(99, 100, 10.0), 1);	/* rounds up */
	CU_ASSERT_EQUAL(progress_eta(100, 100, 10.0), 0);
	CU_ASSERT_EQUAL(progress_eta(0, 100, 0.0), -1);
	CU_ASSERT_EQUAL(progress_eta(0, UINT64_MAX, 1.0), -1);

	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), 0), "0:00");
	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), 42), "0:42");
	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), 3599),
	    "59:59");
	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), 3600),
	    "1:00:00");
	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), 3723),
	    "1:02:03");
	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), -1), "--:--");
	CU_ASSERT_STRING_EQUAL(progress_time(buf, sizeof(buf), 400000),
	    "--:--");

	/* smoothing starts at the first sample and moves toward new ones */
	CU_ASSERT_DOUBLE_EQUAL(progress_smooth(0.0, 100.0), 100.0, 1e-9);
	CU_ASSERT(progress_smooth(100.0, 200.0) > 100.0);
	CU_ASSERT(progress_smooth(100.0, 200.0) < 200.0);
}

static void
test_progress_final(void)
{
	char	 buf[256];
	size_t	 n;
	int	 w;

	n = progress_format_final(buf, sizeof(buf), "big.iso", 0,
	    1024 * 1024 * 1024, 12000, 80);
	CU_ASSERT_STRING_EQUAL(buf, "big.iso 1.0G in 0:12 (85M/s)");
	CU_ASSERT_EQUAL(n, strlen(buf));
	n = progress_format_final(buf, sizeof(buf), "", 3, 3 * 1024 * 1024,
	    1500, 80);
	CU_ASSERT_STRING_EQUAL(buf, "total: 3 files, 3.0M in 0:02 (2.0M/s)");
	(void)progress_format_final(buf, sizeof(buf), "", 1, 10, 0, 80);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "1 file,"));
	for (w = 0; w < 120; w++) {
		n = progress_format_final(buf, sizeof(buf),
		    "some-long-name-of-a-file.tar.gz", 0, 123456789, 98765,
		    w);
		CU_ASSERT(n <= (size_t)w);
		CU_ASSERT_EQUAL(n, strlen(buf));
	}
}

CU_TestInfo tests_progress[] = {
	TEST(test_progress_widths),
	TEST(test_progress_fields),
	TEST(test_progress_stalled),
	TEST(test_progress_units),
	TEST(test_progress_eta),
	TEST(test_progress_final),
	CU_TEST_INFO_NULL,
};
