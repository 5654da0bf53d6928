/*
 * addrtab.c -- per-address state in shared anonymous memory, mapped by
 * the master before it forks (as the scoreboard is) and used by every
 * worker.
 *
 * Failed sign-ins live in a set-associative table: an address hashes
 * (SipHash with a key drawn at start, so a peer cannot choose addresses
 * that collide) to a bucket of ADDRTAB_WAYS entries and may only take a
 * place there.  An entry holds the times of the last ADDRTAB_FAIL_MAX
 * failures, the end of its block and the number of blocks so far.  An
 * entry whose failures are older than the window, whose block is over
 * and whose offences are forgotten means nothing and is free.  When a
 * bucket is full, a new address takes the place of the one that failed
 * least recently among those not blocked; blocked entries give way only
 * to each other, the block that ends soonest first.  A flood of new
 * addresses thus costs the flooder's own entries first, and the table
 * never grows: it remembers at most nentries addresses.
 *
 * Connections at once are counted from one record per worker slot (the
 * address of the connection that slot serves, if any), not kept as a
 * count that a killed worker could leave too high: the master clears
 * the slot of a worker it reaps, however that worker died.
 *
 * One process-shared robust mutex guards the table; nothing is done
 * under it but reading and writing this memory.  A process killed
 * while holding it leaves at most one entry half-written: the index of
 * the entry being written is kept, and the next locker clears it.
 *
 * Never logs, never blocks on anything but that lock, never allocates
 * after addrtab_create().
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "addrtab.h"

struct addrtab_entry {
	uint8_t		 key[16];
	int64_t		 fails[ADDRTAB_FAIL_MAX];	/* a ring of times */
	int64_t		 last;		/* the latest failure */
	int64_t		 until;		/* end of the last block */
	uint32_t	 nfails;	/* times in the ring */
	uint32_t	 head;		/* where the next one goes */
	uint32_t	 offences;	/* blocks so far */
	uint32_t	 used;		/* holds an address */
};

/* The address the connection of one worker slot comes from. */
struct addrtab_hold {
	uint8_t		 key[16];
	uint32_t	 active;	/* atomic: 1 while connected */
	uint32_t	 pad;
};

struct addrtab {
	pthread_mutex_t		 lock;
	uint64_t		 k0, k1;	/* the hash key */
	size_t			 len;		/* of the mapping */
	int			 nbuckets;
	int			 nslots;
	int			 v6_prefix;
	int			 dirty;		/* entry being written, -1 */
	uint64_t		 evictions;
	uint64_t		 repairs;
	struct addrtab_hold	*holds;		/* nslots */
	struct addrtab_entry	*entries;	/* nbuckets * WAYS */
};

static uint64_t	addrtab_le64(const uint8_t *);
static uint64_t	addrtab_siphash(uint64_t, uint64_t, const uint8_t *,
		    size_t);
static int	addrtab_key(const struct addrtab *,
		    const struct sockaddr_storage *, uint8_t *);
static struct addrtab_entry *addrtab_bucket(struct addrtab *,
		    const uint8_t *);
static int	addrtab_alive(const struct addrtab_entry *, int64_t);
static struct addrtab_entry *addrtab_find(struct addrtab *, const uint8_t *,
		    int64_t);
static struct addrtab_entry *addrtab_take(struct addrtab *, const uint8_t *,
		    int64_t);
static struct addrtab_entry *addrtab_victim(struct addrtab_entry *,
		    int64_t);
static int	addrtab_secs(int64_t);
static int	addrtab_count(struct addrtab *, const uint8_t *, int);

static uint64_t
addrtab_le64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--) {
		v = v << 8 | p[i];
	}
	return v;
}

#define ADDRTAB_ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define ADDRTAB_SIPROUND do {						\
	v0 += v1; v1 = ADDRTAB_ROTL(v1, 13); v1 ^= v0;			\
	v0 = ADDRTAB_ROTL(v0, 32);					\
	v2 += v3; v3 = ADDRTAB_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ADDRTAB_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ADDRTAB_ROTL(v1, 17); v1 ^= v2;			\
	v2 = ADDRTAB_ROTL(v2, 32);					\
} while (0)

/* SipHash-2-4 (Aumasson and Bernstein) of len bytes under k0, k1. */
static uint64_t
addrtab_siphash(uint64_t k0, uint64_t k1, const uint8_t *m, size_t len)
{
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ k1;
	uint64_t	 b = (uint64_t)len << 56, w;
	size_t		 i, end = len - len % 8;

	for (i = 0; i < end; i += 8) {
		w = addrtab_le64(m + i);
		v3 ^= w;
		ADDRTAB_SIPROUND;
		ADDRTAB_SIPROUND;
		v0 ^= w;
	}
	for (i = 0; i < len % 8; i++) {
		b |= (uint64_t)m[end + i] << (8 * i);
	}
	v3 ^= b;
	ADDRTAB_SIPROUND;
	ADDRTAB_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++) {
		ADDRTAB_SIPROUND;
	}
	return v0 ^ v1 ^ v2 ^ v3;
}

struct addrtab *
addrtab_create(int nentries, int nslots, int v6_prefix)
{
	struct addrtab		*t;
	pthread_mutexattr_t	 ma;
	uint8_t			 k[16];
	size_t			 head, ne, len;
	void			*p;

	if (nentries < 1 || nentries > (1 << 24) || nslots < 1 ||
	    nslots > (1 << 20) || v6_prefix < 1 || v6_prefix > 128) {
		errno = EINVAL;
		return NULL;
	}
	ne = ((size_t)nentries + ADDRTAB_WAYS - 1) / ADDRTAB_WAYS *
	    ADDRTAB_WAYS;
	head = (sizeof(*t) + 63) & ~(size_t)63;
	len = head + (size_t)nslots * sizeof(struct addrtab_hold) +
	    ne * sizeof(struct addrtab_entry);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	t = p;
	t->len = len;
	t->nbuckets = (int)(ne / ADDRTAB_WAYS);
	t->nslots = nslots;
	t->v6_prefix = v6_prefix;
	t->dirty = -1;
	t->holds = (struct addrtab_hold *)((char *)p + head);
	t->entries = (struct addrtab_entry *)(t->holds + nslots);
	arc4random_buf(k, sizeof(k));
	t->k0 = addrtab_le64(k);
	t->k1 = addrtab_le64(k + 8);
	if ((errno = pthread_mutexattr_init(&ma)) != 0) {
		goto out_unmap;
	}
	if ((errno = pthread_mutexattr_setpshared(&ma,
	    PTHREAD_PROCESS_SHARED)) != 0 ||
	    (errno = pthread_mutexattr_setrobust(&ma,
	    PTHREAD_MUTEX_ROBUST)) != 0 ||
	    (errno = pthread_mutex_init(&t->lock, &ma)) != 0) {
		(void)pthread_mutexattr_destroy(&ma);
		goto out_unmap;
	}
	(void)pthread_mutexattr_destroy(&ma);
	return t;
out_unmap:
	(void)munmap(p, len);
	return NULL;
}

void
addrtab_destroy(struct addrtab *t)
{
	if (t == NULL) {
		return;
	}
	(void)pthread_mutex_destroy(&t->lock);
	(void)munmap(t, t->len);
}

int
addrtab_lock(struct addrtab *t)
{
	int	 r;

	r = pthread_mutex_lock(&t->lock);
	if (r == EOWNERDEAD) {
		/* its owner died inside: undo what it may have half done */
		if (t->dirty >= 0) {
			memset(&t->entries[t->dirty], 0,
			    sizeof(t->entries[0]));
			t->dirty = -1;
		}
		t->repairs++;
		r = pthread_mutex_consistent(&t->lock);
	}
	if (r != 0) {
		errno = r;
		return -1;
	}
	return 0;
}

void
addrtab_unlock(struct addrtab *t)
{
	t->dirty = -1;
	(void)pthread_mutex_unlock(&t->lock);
}

/*
 * The table's key for a peer: acl_addr()'s 16 bytes, an IPv6 address
 * cut to its first v6_prefix bits (IPv4 ones stay whole).  0 or -1.
 */
static int
addrtab_key(const struct addrtab *t, const struct sockaddr_storage *ss,
    uint8_t *key)
{
	static const uint8_t	 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};
	int			 i, bits = t->v6_prefix;

	if (acl_addr(ss, key) == -1) {
		return -1;
	}
	if (memcmp(key, mapped, sizeof(mapped)) == 0) {
		return 0;
	}
	for (i = 0; i < 16; i++, bits -= 8) {
		if (bits <= 0) {
			key[i] = 0;
		} else if (bits < 8) {
			key[i] &= (uint8_t)(0xff << (8 - bits));
		}
	}
	return 0;
}

static struct addrtab_entry *
addrtab_bucket(struct addrtab *t, const uint8_t *key)
{
	uint64_t	 h;

	h = addrtab_siphash(t->k0, t->k1, key, 16);
	return &t->entries[(h % (uint64_t)t->nbuckets) * ADDRTAB_WAYS];
}

/* 1 while an entry still says something: else it is free. */
static int
addrtab_alive(const struct addrtab_entry *e, int64_t now)
{
	if (!e->used) {
		return 0;
	}
	if (now < e->until) {
		return 1;
	}
	if (e->nfails > 0 && now - e->last < ADDRTAB_WINDOW_MS) {
		return 1;
	}
	return e->offences > 0 && now - e->until < ADDRTAB_FORGET_MS;
}

/* The live entry of key, or NULL. */
static struct addrtab_entry *
addrtab_find(struct addrtab *t, const uint8_t *key, int64_t now)
{
	struct addrtab_entry	*b = addrtab_bucket(t, key);
	int			 i;

	for (i = 0; i < ADDRTAB_WAYS; i++) {
		if (b[i].used && memcmp(b[i].key, key, 16) == 0) {
			return addrtab_alive(&b[i], now) ? &b[i] : NULL;
		}
	}
	return NULL;
}

/*
 * The place to give up in a full bucket: the entry not blocked whose
 * last failure is oldest; if all are blocked, the block ending first.
 */
static struct addrtab_entry *
addrtab_victim(struct addrtab_entry *b, int64_t now)
{
	struct addrtab_entry	*v = NULL;
	int			 i;

	for (i = 0; i < ADDRTAB_WAYS; i++) {
		if (now >= b[i].until && (v == NULL || b[i].last < v->last)) {
			v = &b[i];
		}
	}
	if (v != NULL) {
		return v;
	}
	v = &b[0];
	for (i = 1; i < ADDRTAB_WAYS; i++) {
		if (b[i].until < v->until) {
			v = &b[i];
		}
	}
	return v;
}

/*
 * The entry of key, made if need be, marked as being written: the
 * caller holds the lock, and addrtab_unlock() ends the write.
 */
static struct addrtab_entry *
addrtab_take(struct addrtab *t, const uint8_t *key, int64_t now)
{
	struct addrtab_entry	*b = addrtab_bucket(t, key), *e = NULL;
	int			 i;

	for (i = 0; i < ADDRTAB_WAYS; i++) {
		if (b[i].used && memcmp(b[i].key, key, 16) == 0) {
			e = &b[i];
			break;
		}
	}
	if (e != NULL && addrtab_alive(e, now)) {
		t->dirty = (int)(e - t->entries);
		return e;
	}
	for (i = 0; e == NULL && i < ADDRTAB_WAYS; i++) {
		if (!addrtab_alive(&b[i], now)) {
			e = &b[i];
		}
	}
	if (e == NULL) {
		e = addrtab_victim(b, now);
		t->evictions++;
	}
	t->dirty = (int)(e - t->entries);
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, 16);
	e->used = 1;
	return e;
}

/* Milliseconds to whole seconds, rounded up: "0 s left" never shows. */
static int
addrtab_secs(int64_t ms)
{
	return (int)((ms + 999) / 1000);
}

int
addrtab_auth_blocked(struct addrtab *t, const struct sockaddr_storage *ss,
    int64_t now, int *secs)
{
	struct addrtab_entry	*e;
	uint8_t			 key[16];
	int			 blocked = 0;

	*secs = 0;
	/* the table failing must not lock anyone out: allow */
	if (addrtab_key(t, ss, key) == -1 || addrtab_lock(t) == -1) {
		return 0;
	}
	if ((e = addrtab_find(t, key, now)) != NULL && now < e->until) {
		*secs = addrtab_secs(e->until - now);
		blocked = 1;
	}
	addrtab_unlock(t);
	return blocked;
}

int
addrtab_auth_failed(struct addrtab *t, const struct sockaddr_storage *ss,
    int64_t now, int *secs)
{
	struct addrtab_entry	*e;
	uint8_t			 key[16];
	int64_t			 ms;
	uint32_t		 i;

	*secs = 0;
	if (addrtab_key(t, ss, key) == -1 || addrtab_lock(t) == -1) {
		return 0;
	}
	e = addrtab_take(t, key, now);
	if (now < e->until) {
		*secs = addrtab_secs(e->until - now);
		addrtab_unlock(t);
		return 0;
	}
	e->fails[e->head] = now;
	e->head = (e->head + 1) % ADDRTAB_FAIL_MAX;
	if (e->nfails < ADDRTAB_FAIL_MAX) {
		e->nfails++;
	}
	e->last = now;
	/* the ring is full and its oldest, at head, is within the window */
	if (e->nfails < ADDRTAB_FAIL_MAX ||
	    now - e->fails[e->head] >= ADDRTAB_WINDOW_MS) {
		addrtab_unlock(t);
		return 0;
	}
	if (e->offences > 0 && now - e->until >= ADDRTAB_FORGET_MS) {
		e->offences = 0;
	}
	e->offences++;
	ms = ADDRTAB_BLOCK_MS;
	for (i = 1; i < e->offences && ms < ADDRTAB_BLOCK_MAX_MS; i++) {
		ms *= 2;
	}
	if (ms > ADDRTAB_BLOCK_MAX_MS) {
		ms = ADDRTAB_BLOCK_MAX_MS;
	}
	e->until = now + ms;
	e->nfails = e->head = 0;
	*secs = addrtab_secs(ms);
	addrtab_unlock(t);
	return 1;
}

/* Connections from key, not counting slot skip.  Under the lock. */
static int
addrtab_count(struct addrtab *t, const uint8_t *key, int skip)
{
	struct addrtab_hold	*h;
	int			 i, n = 0;

	for (i = 0; i < t->nslots; i++) {
		h = &t->holds[i];
		if (i != skip && __atomic_load_n(&h->active,
		    __ATOMIC_ACQUIRE) && memcmp(h->key, key, 16) == 0) {
			n++;
		}
	}
	return n;
}

int
addrtab_conn_open(struct addrtab *t, int slot,
    const struct sockaddr_storage *ss, int max)
{
	struct addrtab_hold	*h;
	uint8_t			 key[16];

	if (slot < 0 || slot >= t->nslots) {
		errno = EINVAL;
		return -1;
	}
	h = &t->holds[slot];
	__atomic_store_n(&h->active, 0, __ATOMIC_RELEASE);
	/* not an IP peer, or no table: nothing to count, serve it */
	if (addrtab_key(t, ss, key) == -1 || addrtab_lock(t) == -1) {
		return 0;
	}
	if (max > 0 && addrtab_count(t, key, slot) >= max) {
		addrtab_unlock(t);
		errno = EBUSY;
		return -1;
	}
	memcpy(h->key, key, 16);
	__atomic_store_n(&h->active, 1, __ATOMIC_RELEASE);
	addrtab_unlock(t);
	return 0;
}

void
addrtab_conn_close(struct addrtab *t, int slot)
{
	if (slot >= 0 && slot < t->nslots) {
		__atomic_store_n(&t->holds[slot].active, 0, __ATOMIC_RELEASE);
	}
}

int
addrtab_conn_count(struct addrtab *t, const struct sockaddr_storage *ss)
{
	uint8_t	 key[16];
	int	 n;

	if (addrtab_key(t, ss, key) == -1 || addrtab_lock(t) == -1) {
		return 0;
	}
	n = addrtab_count(t, key, -1);
	addrtab_unlock(t);
	return n;
}

void
addrtab_stats(struct addrtab *t, int64_t now, struct addrtab_stats *st)
{
	int	 i, n = t->nbuckets * ADDRTAB_WAYS;

	memset(st, 0, sizeof(*st));
	if (addrtab_lock(t) == -1) {
		return;
	}
	for (i = 0; i < n; i++) {
		if (addrtab_alive(&t->entries[i], now)) {
			st->entries++;
			if (now < t->entries[i].until) {
				st->blocked++;
			}
		}
	}
	st->evictions = t->evictions;
	st->repairs = t->repairs;
	addrtab_unlock(t);
}
