/*
 * tfsload.c -- a TFS/1 load generator: GETs of small files from a
 * running tfsd on 127.0.0.1 over C persistent connections, each with up
 * to D requests pipelined, or a new connection for every GET (-n).
 * Reports ops/s and latency percentiles on one line (see loadgen.h).
 *
 * Requests are built with common/proto.c; replies are checked frame by
 * frame (HELLO first, then FILE, DATA..., END with the right count), and
 * a reply that is an ERROR or does not add up counts as bad.  Never
 * talks to anything but 127.0.0.1.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "frame.h"
#include "loadgen.h"
#include "proto.h"

#define TL_PATHS_MAX	64

static const char	*paths[TL_PATHS_MAX];
static int		 npaths;
static uint64_t		 want_size = UINT64_MAX;	/* -s: FILE size */

static lg_encode_fn	 tl_encode;
static lg_parse_fn	 tl_parse;
static uint64_t	 tl_be64(const uint8_t *);
static int	 tl_frame_done(struct lg_conn *, int *, int *);
static void	 usage(void);

/* GET paths[seq % npaths] from offset 0, as one frame. */
static size_t
tl_encode(uint8_t *buf, size_t cap, uint64_t seq)
{
	struct tfs_msg	m;
	ssize_t		n;

	memset(&m, 0, sizeof(m));
	m.type = TFS_GET;
	m.path = tfs_str_c(paths[seq % (uint64_t)npaths]);
	m.offset = 0;
	if (cap < FRAME_HDR_LEN) {
		return 0;
	}
	n = proto_encode(&m, buf + FRAME_HDR_LEN, cap - FRAME_HDR_LEN);
	if (n < 0) {
		errx(1, "GET request does not fit");
	}
	frame_header_encode(buf, TFS_GET, (uint32_t)n);
	return FRAME_HDR_LEN + (size_t)n;
}

static uint64_t
tl_be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

/* A whole frame of type c->type went by.  0, or -1 if out of place. */
static int
tl_frame_done(struct lg_conn *c, int *done, int *bad)
{
	switch (c->type) {
	case TFS_HELLO:
		if (c->greeted) {
			return -1;
		}
		c->greeted = 1;
		return 0;
	case TFS_FILE:
		if (c->pbuf_have < 16) {
			return -1;
		}
		c->expect = tl_be64(c->pbuf) - tl_be64(c->pbuf + 8);
		if (want_size != UINT64_MAX && tl_be64(c->pbuf) != want_size) {
			(*bad)++;
		}
		c->got = 0;
		return 0;
	case TFS_DATA:
		return 0;	/* counted as it arrived */
	case TFS_END:
		if (c->pbuf_have < 8) {
			return -1;
		}
		if (tl_be64(c->pbuf) != c->got || c->got != c->expect) {
			(*bad)++;
		}
		(*done)++;
		return 0;
	case TFS_ERROR:
		(*bad)++;
		(*done)++;
		return 0;
	default:
		return -1;
	}
}

/* Walk frames: headers, small payloads kept in pbuf, DATA only counted. */
static ssize_t
tl_parse(struct lg_conn *c, const uint8_t *p, size_t n, int *done, int *bad)
{
	size_t		used = 0, k;
	uint32_t	len;

	while (used < n) {
		if (c->hdr_have < FRAME_HDR_LEN) {
			c->hdr[c->hdr_have++] = p[used++];
			if (c->hdr_have < FRAME_HDR_LEN) {
				continue;
			}
			c->type = c->hdr[0];
			len = (uint32_t)c->hdr[1] << 24 |
			    (uint32_t)c->hdr[2] << 16 |
			    (uint32_t)c->hdr[3] << 8 | c->hdr[4];
			if (len > FRAME_MAX) {
				return -1;
			}
			c->left = len;
			c->pbuf_have = 0;
			if (c->type == TFS_DATA) {
				c->got += len;
			}
		} else {
			k = n - used < c->left ? n - used : (size_t)c->left;
			if (c->type != TFS_DATA &&
			    c->pbuf_have < sizeof(c->pbuf)) {
				size_t	 m = sizeof(c->pbuf) - c->pbuf_have;

				m = m < k ? m : k;
				memcpy(c->pbuf + c->pbuf_have, p + used, m);
				c->pbuf_have += m;
			}
			c->left -= k;
			used += k;
		}
		if (c->hdr_have == FRAME_HDR_LEN && c->left == 0) {
			c->hdr_have = 0;
			if (tl_frame_done(c, done, bad) == -1) {
				return -1;
			}
		}
	}
	return (ssize_t)used;
}

static void
usage(void)
{
	fprintf(stderr, "usage: tfsload -p port [-n] [-c conns] [-D depth] "
	    "[-d seconds]\n"
	    "               [-f path]... [-s size] [-t threads] "
	    "[-w warmup]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct lg_config	 cfg;
	struct lg_result	 res;
	const char		*errstr;
	int			 ch, port = 0;

	lg_defaults(&cfg, 1, tl_encode, tl_parse);
	while ((ch = getopt(argc, argv, "c:D:d:f:np:s:t:w:")) != -1) {
		errstr = NULL;
		switch (ch) {
		case 'f':
			if (npaths == TL_PATHS_MAX) {
				errx(2, "at most %d paths", TL_PATHS_MAX);
			}
			if (strlen(optarg) > 4095) {
				errx(2, "path too long");
			}
			paths[npaths++] = optarg;
			break;
		case 'p':
			port = (int)strtonum(optarg, 1, 65535, &errstr);
			break;
		case 's':
			want_size = (uint64_t)strtonum(optarg, 0, LLONG_MAX,
			    &errstr);
			break;
		default:
			lg_option(&cfg, ch, optarg, &errstr, usage);
			break;
		}
		bench_optarg(ch, errstr);
	}
	if (argc != optind || port == 0) {
		usage();
	}
	if (npaths == 0) {
		paths[npaths++] = "small";
	}
	cfg.addr.sin_family = AF_INET;
	cfg.addr.sin_port = htons((uint16_t)port);
	cfg.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	signal(SIGPIPE, SIG_IGN);
	if (lg_run(&cfg, &res) == -1) {
		err(1, "load");
	}
	lg_print("tfsload", &cfg, &res);
	return res.ops > 0 && res.bad == 0 ? 0 : 1;
}
