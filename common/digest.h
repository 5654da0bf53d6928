/*
 * digest.h -- SHA-256 of a file, through OpenSSL's libcrypto.
 */

#ifndef COMMON_DIGEST_H
#define COMMON_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_SHA256_LEN	32

/* SHA-256 of everything readable from fd from its current offset. 0/-1. */
int	digest_sha256_fd(int fd, uint8_t out[DIGEST_SHA256_LEN]);
/* Lower-case hex of n bytes into out (2n+1 bytes). Returns out. */
char   *digest_hex(const uint8_t *d, size_t n, char *out);

#endif /* COMMON_DIGEST_H */
