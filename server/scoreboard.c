/*
 * scoreboard.c -- the table of workers in shared anonymous memory,
 * mapped by the master before the first fork so every worker sees the
 * same pages.  A worker writes only its own slot; the master reads all
 * of them and clears a slot when it reaps its worker.  Nothing here
 * blocks or takes a lock: a reader may see a slot mid-update, which is
 * harmless for counting and for log lines.
 */

#include <sys/mman.h>

#include <errno.h>
#include <string.h>

#include "scoreboard.h"

/* Map nslots zeroed, shared slots.  0, or -1 with errno. */
int
sb_init(struct scoreboard *sb, int nslots)
{
	void	*p;

	sb->nslots = 0;
	sb->slots = NULL;
	if (nslots <= 0) {
		errno = EINVAL;
		return -1;
	}
	p = mmap(NULL, (size_t)nslots * sizeof(struct sb_slot),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return -1;
	}
	sb->slots = p;
	sb->nslots = nslots;
	return 0;
}

void
sb_free(struct scoreboard *sb)
{
	if (sb->slots != NULL) {
		munmap(sb->slots, (size_t)sb->nslots * sizeof(struct sb_slot));
	}
	sb->slots = NULL;
	sb->nslots = 0;
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
