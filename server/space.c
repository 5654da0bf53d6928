/*
 * space.c -- room for uploads (space.h).
 *
 * One table in shared anonymous memory, mapped by the master before
 * the first fork: per worker slot the size of its upload in progress,
 * which only that worker writes (and the master clears when it reaps
 * the worker, so a killed upload frees its room), and the kept
 * partials' total, which every worker adjusts with atomic additions.
 * A PUT reserves first and checks after, so two that race both see
 * each other (and may both be refused, never both let through).
 *
 * The kept total drifts when partials go without a worker seeing it (an
 * administrator removing files, a worker killed mid-upload): the sweep
 * counts it again, and it never goes below zero.  Never blocks, never
 * touches a client's file.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "space.h"

/* One worker slot's upload in progress. */
struct space_slot {
	volatile uint64_t	 bytes;		/* the file's size */
	volatile int		 busy;		/* an upload holds it */
};

struct space {
	int			 nslots;
	volatile uint64_t	 kept_bytes;	/* partials kept on disk */
	volatile uint64_t	 kept_count;
	volatile int		 counted;	/* 0, 1 walking, 2 counted */
	struct space_slot	 slot[];
};

static size_t	space_size(int);
static void	space_sub(volatile uint64_t *, uint64_t);
static void	space_sum(struct space *, int, uint64_t *, uint64_t *);

static size_t
space_size(int nslots)
{
	return sizeof(struct space) +
	    (size_t)nslots * sizeof(struct space_slot);
}

struct space *
space_create(int nslots)
{
	struct space	*sp;

	if (nslots <= 0) {
		errno = EINVAL;
		return NULL;
	}
	sp = mmap(NULL, space_size(nslots), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sp == MAP_FAILED) {
		return NULL;
	}
	memset(sp, 0, space_size(nslots));
	sp->nslots = nslots;
	return sp;
}

void
space_destroy(struct space *sp)
{
	if (sp != NULL) {
		(void)munmap(sp, space_size(sp->nslots));
	}
}

/* *v -= n, stopping at zero (the total may have drifted low). */
static void
space_sub(volatile uint64_t *v, uint64_t n)
{
	uint64_t	 old, new;

	old = __atomic_load_n(v, __ATOMIC_RELAXED);
	do {
		new = old > n ? old - n : 0;
	} while (!__atomic_compare_exchange_n(v, &old, new, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/*
 * What unfinished uploads hold but the one of slot skip (-1: none):
 * kept partials and the other slots' uploads, saturating at UINT64_MAX.
 */
static void
space_sum(struct space *sp, int skip, uint64_t *bytes, uint64_t *count)
{
	uint64_t	 b;
	int		 i;

	*bytes = __atomic_load_n(&sp->kept_bytes, __ATOMIC_RELAXED);
	*count = __atomic_load_n(&sp->kept_count, __ATOMIC_RELAXED);
	for (i = 0; i < sp->nslots; i++) {
		if (i == skip || !sp->slot[i].busy) {
			continue;
		}
		b = sp->slot[i].bytes;
		*bytes = *bytes > UINT64_MAX - b ? UINT64_MAX : *bytes + b;
		(*count)++;
	}
}

int
space_reserve(struct space *sp, int slot, int root_fd, uint64_t size,
    uint64_t offset, const struct space_limit *lim, char *why, size_t whysz)
{
	struct statvfs	 vfs;
	uint64_t	 avail, total, limit = 0, held, n, need;

	if (fstatvfs(root_fd, &vfs) == -1) {
		(void)snprintf(why, whysz, "the free space is not known");
		return -1;
	}
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	need = size - (offset < size ? offset : size);
	if (need > avail) {
		(void)snprintf(why, whysz, "%llu bytes free on the server's "
		    "disk, the file needs %llu more",
		    (unsigned long long)avail, (unsigned long long)need);
		errno = ENOSPC;
		return -1;
	}
	if (sp == NULL || slot < 0 || slot >= sp->nslots) {
		return 0;
	}
	if (lim->pct > 0) {
		limit = total / 100 * (uint64_t)lim->pct;
	} else if (lim->pct < 0) {
		limit = lim->bytes;
	}
	/* reserve, then count: of two at once, neither misses the other */
	sp->slot[slot].bytes = size;
	__atomic_store_n(&sp->slot[slot].busy, 1, __ATOMIC_SEQ_CST);
	space_sum(sp, slot, &held, &n);
	if (limit != 0 && (size > limit || held > limit - size)) {
		(void)snprintf(why, whysz, "unfinished uploads hold %llu "
		    "bytes; %llu more would pass the server's limit of %llu",
		    (unsigned long long)held, (unsigned long long)size,
		    (unsigned long long)limit);
	} else if (n >= SPACE_PARTIALS_MAX) {
		(void)snprintf(why, whysz, "%llu unfinished uploads already, "
		    "the most the server keeps", (unsigned long long)n);
	} else {
		return 0;
	}
	space_release(sp, slot);
	errno = ENOSPC;
	return -1;
}

void
space_release(struct space *sp, int slot)
{
	if (sp == NULL || slot < 0 || slot >= sp->nslots) {
		return;
	}
	__atomic_store_n(&sp->slot[slot].busy, 0, __ATOMIC_SEQ_CST);
	sp->slot[slot].bytes = 0;
}

void
space_kept_add(struct space *sp, uint64_t bytes)
{
	if (sp == NULL) {
		return;
	}
	(void)__atomic_add_fetch(&sp->kept_bytes, bytes, __ATOMIC_RELAXED);
	(void)__atomic_add_fetch(&sp->kept_count, 1, __ATOMIC_RELAXED);
}

void
space_kept_take(struct space *sp, uint64_t bytes)
{
	if (sp == NULL) {
		return;
	}
	space_sub(&sp->kept_bytes, bytes);
	space_sub(&sp->kept_count, 1);
}

int
space_count_due(struct space *sp)
{
	int	 none = 0;

	if (sp == NULL) {
		return 0;
	}
	return __atomic_compare_exchange_n(&sp->counted, &none, 1, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void
space_kept_set(struct space *sp, uint64_t bytes, uint64_t count)
{
	if (sp == NULL) {
		return;
	}
	__atomic_store_n(&sp->kept_bytes, bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&sp->kept_count, count, __ATOMIC_RELAXED);
	__atomic_store_n(&sp->counted, 2, __ATOMIC_SEQ_CST);
}

void
space_held(struct space *sp, uint64_t *bytes, uint64_t *count)
{
	if (sp == NULL) {
		*bytes = *count = 0;
		return;
	}
	space_sum(sp, -1, bytes, count);
}
