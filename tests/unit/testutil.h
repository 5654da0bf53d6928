/*
 * testutil.h -- helpers shared by the unit tests: temporary files and
 * folders, a deterministic byte pattern, a pair of joined connections,
 * a sleep, a forked peer that reads a socket slowly in small pieces
 * and checks what arrives, and checks of strings that may be NULL.
 */

#ifndef TESTS_UNIT_TESTUTIL_H
#define TESTS_UNIT_TESTUTIL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct conn;

/* Byte i of the test pattern: not periodic over small strides. */
uint8_t	tu_pattern(uint64_t i);
/* Fill buf with pattern bytes start .. start+n-1. */
void	tu_fill(uint8_t *buf, size_t n, uint64_t start);
/*
 * A temporary file holding n pattern bytes, opened O_RDWR|O_CLOEXEC and
 * already unlinked.  -1 on failure.
 */
int	tu_pattern_file(uint64_t n);
/*
 * A temporary file of the given bytes, not unlinked; its name is put in
 * path (a buffer of at least 64 bytes).  Returns an fd, or -1.
 */
int	tu_temp_file(char *path, const void *data, size_t n);
/*
 * Two connections joined by a socketpair, set up with conn_init(maxp,
 * stall_ms) and no interrupt fd.  0, or -1.
 */
int	tu_conn_pair(struct conn *a, struct conn *b, uint32_t maxp,
	    int stall_ms);
/* Close and free both ends of a tu_conn_pair(). */
void	tu_conn_unpair(struct conn *a, struct conn *b);
/* Sleep ms milliseconds, however many signals come meanwhile. */
void	tu_sleep_ms(int ms);
/* Close both fds of a pipe or socketpair. */
void	tu_close_pair(const int fds[2]);
/*
 * Fork a child that reads fd in pieces of 1 .. maxpiece bytes, pausing
 * now and then, and checks that exactly n bytes equal to pattern bytes
 * start .. arrive before end of stream.  Returns its pid; the caller
 * closes its own copy of the peer end and calls tu_wait().
 */
pid_t	tu_slow_reader(int fd, int closefd, uint64_t start, uint64_t n,
	    size_t maxpiece);
/*
 * Fork a child that writes the n bytes of buf to fd piece bytes at a
 * time, every_ms apart, then waits linger_ms and exits 0 (1 when a write
 * fails: the reader gave up).  Returns its pid; the caller closes its
 * copy of the peer end (closefd in the child) and calls tu_wait().
 */
pid_t	tu_trickle(int fd, int closefd, const void *buf, size_t n,
	    size_t piece, int every_ms, int linger_ms);
/* Wait for child pid; returns its exit status, or -1 if it died. */
int	tu_wait(pid_t pid);
/*
 * A new empty temporary folder, its real path (no link in it) put in
 * path (pathsz bytes).  0, or -1.
 */
int	tu_temp_dir(char *path, size_t pathsz);
/* Remove the folder path and all below it, never following a link. */
void	tu_remove_tree(const char *path);
/*
 * Undo tu_temp_dir and a descriptor opened on that folder, whichever of
 * them was done: *fd is closed and set to -1, path removed and emptied.
 */
void	tu_temp_dir_end(char *path, int *fd);
/*
 * n bytes of text (0: strlen) into path, made anew with mode; the test
 * fails at once if that cannot be done.
 */
void	tu_put(const char *path, const char *text, size_t n, mode_t mode);
/* A CUnit check that got is the string want, or NULL when want is. */
void	tu_assert_str(const char *got, const char *want);

#endif /* TESTS_UNIT_TESTUTIL_H */
