/*
 * digest.c -- SHA-256 of a file through OpenSSL's libcrypto (EVP).
 *
 * Reads the descriptor to its end in large blocks; the caller positions
 * it.  Never opens or closes anything itself.
 */

#include <errno.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "digest.h"
#include "xio.h"

#define DIGEST_BUF	(256 * 1024)

/* SHA-256 of everything readable from fd from its current offset. 0/-1. */
int
digest_sha256_fd(int fd, uint8_t out[DIGEST_SHA256_LEN])
{
	EVP_MD_CTX	*ctx;
	uint8_t		*buf;
	unsigned int	 mdlen = 0;
	ssize_t		 n;
	int		 ret = -1, saved;

	if ((buf = malloc(DIGEST_BUF)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		errno = ENOMEM;
		goto out_free;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		errno = EIO;
		goto out_ctx;
	}
	do {
		if ((n = xio_read_full(fd, buf, DIGEST_BUF, -1)) == -1) {
			goto out_ctx;
		}
		if (n > 0 && EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			errno = EIO;
			goto out_ctx;
		}
	} while (n == DIGEST_BUF);
	if (EVP_DigestFinal_ex(ctx, out, &mdlen) != 1 ||
	    mdlen != DIGEST_SHA256_LEN) {
		errno = EIO;
		goto out_ctx;
	}
	ret = 0;
out_ctx:
	saved = errno;
	EVP_MD_CTX_free(ctx);
	errno = saved;
out_free:
	saved = errno;
	free(buf);
	errno = saved;
	return ret;
}

/* Lower-case hex of n bytes into out (2n+1 bytes).  Returns out. */
char *
digest_hex(const uint8_t *d, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return out;
}
