/*
 * acl.h -- the --allow address list: CIDR text parsed into networks, and
 * whether a peer's address falls in one of them.  Pure: no I/O, no
 * logging, no global state.
 */

#ifndef SERVER_ACL_H
#define SERVER_ACL_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/*
 * One network.  Every address is kept as 16 bytes, an IPv4 one in its
 * IPv4-mapped form ::ffff:a.b.c.d with its prefix + 96: an IPv4 peer of
 * a dual-stack socket matches the IPv4 entries, and "::/0" allows all.
 */
struct acl_net {
	uint8_t		 addr[16];	/* host bits are zero */
	uint8_t		 plen;		/* 0 .. 128 */
};

/* A list as --allow options build it; all zero is the empty list. */
struct acl {
	struct acl_net	*nets;
	size_t		 n;
};

/* Longest text acl_format() writes, NUL included. */
#define ACL_FORMAT_MAX	(46 + 4)

/*
 * Parse "a.b.c.d[/n]" (n 0..32) or an IPv6 address "x::y[/n]" (n
 * 0..128); a bare address is one host.  Refused: a bad address, a zone
 * ("%eth0"), a prefix that is not a plain decimal in range, and host
 * bits set ("192.0.2.1/24": a typo that widens or narrows the list
 * silently is worse than an error).  0, or -1 with a one-line reason in
 * err (a buffer of errsz bytes) naming the text.
 */
int	 acl_parse(const char *s, struct acl_net *net, char *err,
	    size_t errsz);
/* acl_parse() and append to the list.  0, or -1 (err says why). */
int	 acl_add(struct acl *acl, const char *s, char *err, size_t errsz);
void	 acl_free(struct acl *acl);
/*
 * 1 when the peer may be served: an empty list allows everyone;
 * otherwise its address must fall in an entry.  A peer that is not
 * IPv4 or IPv6 is refused (0).
 */
int	 acl_allows(const struct acl *acl, const struct sockaddr_storage *ss);
/* 1 when the 16-byte address (see acl_addr()) is in net. */
int	 acl_match(const struct acl_net *net, const uint8_t addr[16]);
/*
 * The 16-byte form of a peer's address: IPv6 as is, IPv4 as
 * ::ffff:a.b.c.d (so an IPv4-mapped peer and an IPv4 one are equal).
 * 0, or -1 when ss is neither AF_INET nor AF_INET6.
 */
int	 acl_addr(const struct sockaddr_storage *ss, uint8_t out[16]);
/* "192.0.2.0/24", "2001:db8::/32" into buf.  Returns buf. */
char	*acl_format(const struct acl_net *net, char *buf, size_t bufsz);

/* Longest text acl_peer() writes, NUL included. */
#define ACL_PEER_MAX	(46 + 11 + 8)
/*
 * A peer for log lines: "192.0.2.7:50312" (an IPv4-mapped one too),
 * "[2001:db8::1]:50312", "[fe80::1%2]:50312" (the scope as a number),
 * "?" if not IP.  Makes no system call: getnameinfo() opens a socket to
 * name a link-local scope, which the worker sandbox kills.  Returns buf.
 */
char	*acl_peer(const struct sockaddr_storage *ss, char *buf,
	    size_t bufsz);

#endif /* SERVER_ACL_H */
