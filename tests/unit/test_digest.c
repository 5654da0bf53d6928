/*
 * test_digest.c -- SHA-256 of files against the FIPS 180-2 vectors,
 * across the 256 KiB read buffer, from the descriptor's current offset.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "digest.h"
#include "suites.h"
#include "testutil.h"

static void	check_file(const void *, size_t, const char *);

static void	test_digest_vectors(void);
static void	test_digest_million_a(void);
static void	test_digest_from_offset(void);
static void	test_digest_bad_fd(void);
static void	test_digest_hex(void);

/* SHA-256 of a temporary file holding data, compared as hex. */
static void
check_file(const void *data, size_t n, const char *want)
{
	uint8_t	 d[DIGEST_SHA256_LEN];
	char	 path[64], hex[2 * DIGEST_SHA256_LEN + 1];
	int	 fd;

	fd = tu_temp_file(path, data, n);
	CU_ASSERT_FATAL(fd != -1);
	(void)unlink(path);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_SET), 0);
	CU_ASSERT_EQUAL(digest_sha256_fd(fd, d), 0);
	CU_ASSERT_STRING_EQUAL(digest_hex(d, sizeof(d), hex), want);
	(void)close(fd);
}

static void
test_digest_vectors(void)
{
	check_file("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	check_file("", 0, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	check_file("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a': several passes of the 256 KiB buffer, a short last. */
static void
test_digest_million_a(void)
{
	char	*a;

	a = malloc(1000000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	memset(a, 'a', 1000000);
	check_file(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	/* exactly four buffers: the loop must stop on end of file */
	a = realloc(a, 4 * 256 * 1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	memset(a, 'a', 4 * 256 * 1024);
	/* value from Python's hashlib */
	check_file(a, 4 * 256 * 1024, "9bc1b2a288b26af7257a36277ae3816a"
	    "7d4f16e89c1e7e77d0a5c48bad62b360");
	free(a);
}

static void
test_digest_from_offset(void)
{
	uint8_t	 d[DIGEST_SHA256_LEN];
	char	 path[64], hex[2 * DIGEST_SHA256_LEN + 1];
	int	 fd;

	fd = tu_temp_file(path, "xyzabc", 6);
	CU_ASSERT_FATAL(fd != -1);
	(void)unlink(path);
	CU_ASSERT_EQUAL(lseek(fd, 3, SEEK_SET), 3);
	CU_ASSERT_EQUAL(digest_sha256_fd(fd, d), 0);
	CU_ASSERT_STRING_EQUAL(digest_hex(d, sizeof(d), hex),
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	(void)close(fd);
}

static void
test_digest_bad_fd(void)
{
	uint8_t	 d[DIGEST_SHA256_LEN];

	errno = 0;
	CU_ASSERT_EQUAL(digest_sha256_fd(-1, d), -1);
	CU_ASSERT_EQUAL(errno, EBADF);
}

static void
test_digest_hex(void)
{
	const uint8_t	 b[] = { 0x00, 0x0f, 0xa0, 0xff };
	char		 out[9];

	CU_ASSERT_STRING_EQUAL(digest_hex(b, sizeof(b), out), "000fa0ff");
	CU_ASSERT_STRING_EQUAL(digest_hex(b, 0, out), "");
}

CU_TestInfo tests_digest[] = {
	TEST(test_digest_vectors),
	TEST(test_digest_million_a),
	TEST(test_digest_from_offset),
	TEST(test_digest_bad_fd),
	TEST(test_digest_hex),
	CU_TEST_INFO_NULL,
};
