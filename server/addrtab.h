/*
 * addrtab.h -- what all workers know about client addresses: failed
 * sign-ins and the blocks they earn, and the connections each address
 * has open at once.  One table in shared memory, mapped by the master
 * before the first fork.
 */

#ifndef SERVER_ADDRTAB_H
#define SERVER_ADDRTAB_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

/*
 * Sign-in failures: ADDRTAB_FAIL_MAX of them within ADDRTAB_WINDOW_MS
 * (a sliding window) block the address for ADDRTAB_BLOCK_MS, doubled
 * for each new block up to ADDRTAB_BLOCK_MAX_MS (1, 2, 4 ... 32, 60
 * min).  A day after its last block ended an address starts again at
 * the first.  Failures during a block are not counted; a successful
 * sign-in changes nothing (else one account's owner could reset the
 * count between guesses at others).
 */
#define ADDRTAB_FAIL_MAX	5
#define ADDRTAB_WINDOW_MS	(60 * 1000)
#define ADDRTAB_BLOCK_MS	(60 * 1000)
#define ADDRTAB_BLOCK_MAX_MS	(60 * 60 * 1000)
#define ADDRTAB_FORGET_MS	(24 * 60 * 60 * 1000)
/* Entries per bucket: an address can only take a place in its own. */
#define ADDRTAB_WAYS		8
/* An IPv6 client is its /64, as an IPv4 one is its address. */
#define ADDRTAB_V6_PREFIX	64

struct addrtab;

struct addrtab_stats {
	int		 entries;	/* addresses remembered */
	int		 blocked;	/* of which blocked now */
	uint64_t	 evictions;	/* entries given up for new ones */
	uint64_t	 repairs;	/* locks taken from a dead holder */
};

/*
 * Map a table of nentries addresses (rounded up to ADDRTAB_WAYS) and
 * nslots connection slots, one per worker slot of the scoreboard; IPv6
 * addresses are reduced to their first v6_prefix bits.  In the master,
 * before forking.  The table or NULL with errno.
 */
struct addrtab	*addrtab_create(int nentries, int nslots, int v6_prefix);
void		 addrtab_destroy(struct addrtab *t);

/*
 * Sign-in, before the exchange: 1 when the peer is blocked now, with
 * *secs the seconds left (for the AUTH_FAILED message), else 0.  now is
 * xio_now_ms(), passed in so the tests can move the clock.
 */
int	 addrtab_auth_blocked(struct addrtab *t,
	    const struct sockaddr_storage *ss, int64_t now, int *secs);
/*
 * A failed sign-in from the peer: 1 when this one blocked it, with
 * *secs the length of the block (log it), else 0 (also when already
 * blocked: that attempt was refused, not failed).
 */
int	 addrtab_auth_failed(struct addrtab *t,
	    const struct sockaddr_storage *ss, int64_t now, int *secs);

/*
 * A worker accepted a connection from the peer: 0 when it may be
 * served, the worker slot now counting for the peer; -1 with EBUSY when
 * the peer has max connections already (0: no limit), EINVAL when slot
 * is out of range.  One connection per slot: a second call replaces
 * the first.  Like the calls above, it lets the peer in when the table
 * cannot answer (a peer that is not IP, a lock that cannot be taken):
 * a broken table costs protection, never service.
 */
int	 addrtab_conn_open(struct addrtab *t, int slot,
	    const struct sockaddr_storage *ss, int max);
/*
 * The slot's connection ended: by the worker when it closes it, and by
 * the master when it reaps the slot's worker, which may have died
 * without (SIGKILL).  Lock-free: the master never waits on a worker.
 */
void	 addrtab_conn_close(struct addrtab *t, int slot);
/* Connections the peer has open now. */
int	 addrtab_conn_count(struct addrtab *t,
	    const struct sockaddr_storage *ss);

void	 addrtab_stats(struct addrtab *t, int64_t now,
	    struct addrtab_stats *st);
/*
 * The table's lock, which the calls above take for a few hundred
 * nanoseconds.  A holder that dies is replaced by the next: the lock is
 * robust and the entry it was writing is cleared.  Exposed for a
 * status dump and the tests.  0, or -1 with errno.
 */
int	 addrtab_lock(struct addrtab *t);
void	 addrtab_unlock(struct addrtab *t);

#endif /* SERVER_ADDRTAB_H */
