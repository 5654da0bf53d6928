/*
 * scoreboard.c -- the table of workers in shared memory, mapped by the
 * master before the first fork so every worker sees the same pages.  A
 * worker writes only its own slot; the master writes the header and
 * clears a slot when it reaps its worker, adding what the worker did to
 * the header's totals.  Nothing here blocks or takes a lock: a reader
 * may see a slot mid-update, which is harmless for counting, for log
 * lines and for "tfsd -s status".
 *
 * The memory is anonymous, or, for a daemon with a pid file, a file
 * beside that pid file (sb_backing_open), so that -s status can read it
 * from another process.  The file holds addresses, user names and paths:
 * it is created 0600, emptied, and removed at exit.  Never reads the
 * network.
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scoreboard.h"
#include "xio.h"

_Static_assert(sizeof(struct sb_header) <= SB_HEADER_SIZE,
    "the header must fit before the slots");

static void	sb_atexit(void);

static int	 sb_backing_fd = -1;
static char	 sb_backing_path[PATH_MAX];
static pid_t	 sb_owner;		/* removes the file at exit */

/*
 * Create (or take over and empty) the file at path.  A file there that
 * is not ours alone (another owner, other links, not a regular file) is
 * refused: the folder may be one others can write, such as /tmp.
 */
int
sb_backing_open(const char *path)
{
	struct stat	 st;
	int		 fd;

	if (strlen(path) >= sizeof(sb_backing_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		errno = EPERM;
		goto out_close;
	}
	if (fchmod(fd, 0600) == -1 || ftruncate(fd, 0) == -1) {
		goto out_close;
	}
	if (sb_backing_fd != -1) {
		close(sb_backing_fd);
	}
	sb_backing_fd = fd;
	(void)strlcpy(sb_backing_path, path, sizeof(sb_backing_path));
	if (sb_owner == 0) {
		atexit(sb_atexit);
	}
	sb_owner = getpid();
	return 0;
out_close:
	return xio_close_failed(fd);
}

static void
sb_atexit(void)
{
	if (sb_owner == getpid()) {
		sb_backing_remove();
	}
}

void
sb_backing_remove(void)
{
	if (sb_backing_path[0] != '\0') {
		(void)unlink(sb_backing_path);
		sb_backing_path[0] = '\0';
	}
	if (sb_backing_fd != -1) {
		close(sb_backing_fd);
		sb_backing_fd = -1;
	}
}

int
sb_path(const char *pidfile, char *buf, size_t bufsz)
{
	char	 real[PATH_MAX];
	size_t	 n;

	if (realpath(pidfile, real) == NULL &&
	    strlcpy(real, pidfile, sizeof(real)) >= sizeof(real)) {
		return -1;
	}
	n = strlen(real);
	if (n > 4 && strcmp(real + n - 4, ".pid") == 0) {
		real[n - 4] = '\0';
	}
	if ((size_t)snprintf(buf, bufsz, "%s.scoreboard", real) >= bufsz) {
		return -1;
	}
	return 0;
}

/* Map a header and nslots zeroed, shared slots.  0, or -1 with errno. */
int
sb_init(struct scoreboard *sb, int nslots)
{
	void	*p;
	size_t	 size;
	int	 flags = MAP_SHARED | MAP_ANONYMOUS, fd = -1;

	memset(sb, 0, sizeof(*sb));
	if (nslots <= 0) {
		errno = EINVAL;
		return -1;
	}
	size = SB_HEADER_SIZE + (size_t)nslots * sizeof(struct sb_slot);
	if (sb_backing_fd != -1) {
		if (ftruncate(sb_backing_fd, (off_t)size) == -1) {
			return -1;
		}
		flags = MAP_SHARED;
		fd = sb_backing_fd;
		sb_owner = getpid();
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		return -1;
	}
	sb->hdr = p;
	sb->slots = (struct sb_slot *)((char *)p + SB_HEADER_SIZE);
	sb->nslots = nslots;
	sb->size = size;
	sb->hdr->version = SB_VERSION;
	sb->hdr->slot_size = sizeof(struct sb_slot);
	sb->hdr->nslots = (uint32_t)nslots;
	sb->hdr->master = getpid();
	sb->hdr->started = (int64_t)time(NULL);
	/* last: a reader takes the file for a scoreboard only from now on */
	__atomic_store_n(&sb->hdr->magic, SB_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

void
sb_free(struct scoreboard *sb)
{
	if (sb->hdr != NULL) {
		munmap(sb->hdr, sb->size);
	}
	memset(sb, 0, sizeof(*sb));
}

/* Slot i, or NULL when i is out of range. */
struct sb_slot *
sb_slot(struct scoreboard *sb, int i)
{
	if (i < 0 || i >= sb->nslots) {
		return NULL;
	}
	return &sb->slots[i];
}

/* Empty a slot (the master, after reaping its worker). */
void
sb_slot_clear(struct sb_slot *s)
{
	memset((void *)s, 0, sizeof(*s));
}

/* The worker is gone: keep its counters in the totals, free its slot. */
void
sb_slot_release(struct scoreboard *sb, int i)
{
	struct sb_slot	*s;

	if ((s = sb_slot(sb, i)) == NULL) {
		return;
	}
	sb->hdr->served += s->served;
	sb->hdr->requests += s->requests;
	sb->hdr->bytes_in += s->bytes_in;
	sb->hdr->bytes_out += s->bytes_out;
	sb_slot_clear(s);
}

/*
 * Copy a text field of a slot that another process may be writing into
 * dst, always terminated.  Returns dst.
 */
char *
sb_copy_str(char *dst, size_t dstsz, const char *src, size_t srcsz)
{
	size_t	 n;

	if (dstsz == 0) {
		return dst;
	}
	n = strnlen(src, srcsz);
	if (n >= dstsz) {
		n = dstsz - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}

/*
 * A request begins: what it is (path and user already escaped for a
 * log line), for the master's stall watch and for -s status.
 */
void
sb_request_begin(struct sb_slot *s, const char *op, const char *path,
    const char *user, int64_t now)
{
	if (s == NULL) {
		return;
	}
	(void)strlcpy(s->op, op, sizeof(s->op));
	(void)strlcpy(s->path, path, sizeof(s->path));
	(void)strlcpy(s->user, user != NULL ? user : "", sizeof(s->user));
	s->bytes = 0;
	s->last_progress = now;
	s->req_start = now;
	s->in_request = 1;
}

/* The request ended having moved bytes of a file, in or out. */
void
sb_request_end(struct sb_slot *s, int upload, uint64_t bytes, int64_t now)
{
	if (s == NULL) {
		return;
	}
	s->in_request = 0;
	s->last_progress = now;
	s->req_start = 0;
	s->requests++;
	if (upload) {
		s->bytes_in += bytes;
	} else {
		s->bytes_out += bytes;
	}
}
