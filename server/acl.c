/*
 * acl.c -- --allow lists: CIDR text to networks, peers matched against
 * them.
 *
 * Every address is handled as 16 bytes, IPv4 in its IPv4-mapped form,
 * so one comparison serves both families and a dual-stack socket's
 * ::ffff:a.b.c.d peers match IPv4 entries.  The parser is strict: what
 * it cannot read exactly as written is an error, never a guess.
 *
 * Pure functions; never logs, never touches a socket.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

/* The longest text worth reading: an IPv6 address and "/128". */
#define ACL_TEXT_MAX	(INET6_ADDRSTRLEN + 4)

static const uint8_t	acl_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

static int	acl_prefix(const char *, int, int *);
static int	acl_host_bits(const uint8_t *, int);
static void	acl_err(char *, size_t, const char *, const char *);

/* One line for the caller to show: "TEXT: why". */
static void
acl_err(char *err, size_t errsz, const char *s, const char *why)
{
	if (err != NULL && errsz > 0) {
		(void)snprintf(err, errsz, "%s: %s", s, why);
	}
}

/*
 * A prefix length: decimal digits only, no sign, no leading zero, at
 * most max.  0, or -1.
 */
static int
acl_prefix(const char *p, int max, int *out)
{
	int	 n = 0;

	if (*p == '\0' || (p[0] == '0' && p[1] != '\0')) {
		return -1;
	}
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return -1;
		}
		n = n * 10 + (*p - '0');
		if (n > max) {
			return -1;
		}
	}
	*out = n;
	return 0;
}

/* 1 when a bit after the first plen of the 16 bytes is set. */
static int
acl_host_bits(const uint8_t *a, int plen)
{
	int	 i;

	for (i = plen / 8; i < 16; i++) {
		if (i == plen / 8 && plen % 8 != 0) {
			if ((a[i] & (0xff >> (plen % 8))) != 0) {
				return 1;
			}
		} else if (a[i] != 0) {
			return 1;
		}
	}
	return 0;
}

int
acl_parse(const char *s, struct acl_net *net, char *err, size_t errsz)
{
	char		 text[ACL_TEXT_MAX + 1], *slash;
	struct in_addr	 in4;
	int		 v6, plen;

	memset(net, 0, sizeof(*net));
	if (strlen(s) > ACL_TEXT_MAX) {
		acl_err(err, errsz, s, "too long for an address");
		return -1;
	}
	(void)strlcpy(text, s, sizeof(text));
	if ((slash = strchr(text, '/')) != NULL) {
		*slash++ = '\0';
	}
	v6 = strchr(text, ':') != NULL;
	if (v6 && inet_pton(AF_INET6, text, net->addr) == 1) {
		plen = 128;
	} else if (!v6 && inet_pton(AF_INET, text, &in4) == 1) {
		memcpy(net->addr, acl_v4mapped, sizeof(acl_v4mapped));
		memcpy(net->addr + 12, &in4, 4);
		plen = 32;
	} else {
		acl_err(err, errsz, s, v6 ? "not an IPv6 address" :
		    "not an IPv4 address (a.b.c.d)");
		return -1;
	}
	if (slash != NULL && acl_prefix(slash, plen, &plen) == -1) {
		acl_err(err, errsz, s, v6 ? "the prefix length must be 0 to "
		    "128" : "the prefix length must be 0 to 32");
		return -1;
	}
	if (!v6) {
		plen += 96;
	}
	if (acl_host_bits(net->addr, plen)) {
		acl_err(err, errsz, s, "host bits are set after the prefix");
		return -1;
	}
	net->plen = (uint8_t)plen;
	return 0;
}

int
acl_add(struct acl *acl, const char *s, char *err, size_t errsz)
{
	struct acl_net	 net, *v;

	if (acl_parse(s, &net, err, errsz) == -1) {
		errno = EINVAL;
		return -1;
	}
	v = reallocarray(acl->nets, acl->n + 1, sizeof(*v));
	if (v == NULL) {
		acl_err(err, errsz, s, strerror(errno));
		return -1;
	}
	v[acl->n++] = net;
	acl->nets = v;
	return 0;
}

void
acl_free(struct acl *acl)
{
	free(acl->nets);
	acl->nets = NULL;
	acl->n = 0;
}

int
acl_addr(const struct sockaddr_storage *ss, uint8_t out[16])
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;

	switch (ss->ss_family) {
	case AF_INET:
		s4 = (const struct sockaddr_in *)ss;
		memcpy(out, acl_v4mapped, sizeof(acl_v4mapped));
		memcpy(out + 12, &s4->sin_addr, 4);
		return 0;
	case AF_INET6:
		s6 = (const struct sockaddr_in6 *)ss;
		memcpy(out, &s6->sin6_addr, 16);
		return 0;
	default:
		return -1;
	}
}

int
acl_match(const struct acl_net *net, const uint8_t addr[16])
{
	int	 full = net->plen / 8, rest = net->plen % 8;
	uint8_t	 mask;

	if (memcmp(net->addr, addr, (size_t)full) != 0) {
		return 0;
	}
	if (rest == 0) {
		return 1;
	}
	mask = (uint8_t)(0xff << (8 - rest));
	return (addr[full] & mask) == net->addr[full];
}

int
acl_allows(const struct acl *acl, const struct sockaddr_storage *ss)
{
	uint8_t	 a[16];
	size_t	 i;

	if (acl->n == 0) {
		return 1;
	}
	if (acl_addr(ss, a) == -1) {
		return 0;
	}
	for (i = 0; i < acl->n; i++) {
		if (acl_match(&acl->nets[i], a)) {
			return 1;
		}
	}
	return 0;
}

char *
acl_format(const struct acl_net *net, char *buf, size_t bufsz)
{
	char	 host[INET6_ADDRSTRLEN];

	if (net->plen >= 96 && memcmp(net->addr, acl_v4mapped,
	    sizeof(acl_v4mapped)) == 0) {
		(void)inet_ntop(AF_INET, net->addr + 12, host, sizeof(host));
		(void)snprintf(buf, bufsz, "%s/%d", host, net->plen - 96);
	} else {
		(void)inet_ntop(AF_INET6, net->addr, host, sizeof(host));
		(void)snprintf(buf, bufsz, "%s/%d", host, net->plen);
	}
	return buf;
}

char *
acl_peer(const struct sockaddr_storage *ss, char *buf, size_t bufsz)
{
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	char				 host[INET6_ADDRSTRLEN];
	int				 n = -1;

	if (ss->ss_family == AF_INET) {
		(void)inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		n = snprintf(buf, bufsz, "%s:%u", host, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		(void)inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, host,
		    sizeof(host));
		n = snprintf(buf, bufsz, "%s:%u", host, ntohs(s6->sin6_port));
	} else if (ss->ss_family == AF_INET6) {
		(void)inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		if (s6->sin6_scope_id != 0) {
			n = snprintf(buf, bufsz, "[%s%%%u]:%u", host,
			    s6->sin6_scope_id, ntohs(s6->sin6_port));
		} else {
			n = snprintf(buf, bufsz, "[%s]:%u", host,
			    ntohs(s6->sin6_port));
		}
	}
	if ((n < 0 || (size_t)n >= bufsz) && bufsz > 0) {
		(void)strlcpy(buf, "?", bufsz);
	}
	return buf;
}
