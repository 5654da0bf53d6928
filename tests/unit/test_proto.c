/*
 * test_proto.c -- TFS/1 messages: every type round-trips through encode
 * and decode, the wire bytes match PROTOCOL.md, and every malformed
 * payload (short, long, empty DATA, unknown type, a str running past the
 * end) is refused.  Also the type and error tables.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "proto.h"
#include "suites.h"

#define NSAMPLES	(sizeof(sample_types) / sizeof(sample_types[0]))

static const uint8_t	 sample_types[] = {
	TFS_LIST, TFS_STAT, TFS_GET, TFS_PUT, TFS_DELETE, TFS_RENAME,
	TFS_MKDIR, TFS_SUM, TFS_QUIT, TFS_AUTH, TFS_STEP, TFS_UTIME,
	TFS_DATA, TFS_END, TFS_HELLO, TFS_OK, TFS_ENTRY, TFS_FILE, TFS_READY,
	TFS_DIGEST, TFS_CHALLENGE, TFS_WELCOME, TFS_ERROR,
};

static const uint8_t	 sha[TFS_SHA256_LEN] = {
	0xba, 0x78, 0x16, 0xbf, 0x00, 0x01, 0x02, 0xff, 0x0a, 0x0d, 0x7f,
	0x80, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
	0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53,
};

static void	sample(uint8_t, struct tfs_msg *);
static ssize_t	encode_sample(size_t, struct tfs_msg *, uint8_t *, size_t);
static void	encodes_as(const struct tfs_msg *, const uint8_t *, size_t);
static void	decodes_as(uint8_t, const uint8_t *, size_t, enum proto_err);
static int	str_eq(struct tfs_str, struct tfs_str);
static void	check_same(const struct tfs_msg *, const struct tfs_msg *);

static void	test_proto_roundtrip_all(void);
static void	test_proto_wire_bytes(void);
static void	test_proto_short_every_prefix(void);
static void	test_proto_long_extra_byte(void);
static void	test_proto_str_past_end(void);
static void	test_proto_data_empty(void);
static void	test_proto_unknown_types(void);
static void	test_proto_encode_small_cap(void);
static void	test_proto_extremes(void);
static void	test_proto_type_tables(void);
static void	test_proto_err_table(void);
static void	test_proto_err_from_errno(void);
static void	test_proto_str_c(void);

/* A message of each type with every field set to something distinct. */
static void
sample(uint8_t type, struct tfs_msg *m)
{
	static const uint8_t	 data[] = "file bytes \0 with a NUL";

	memset(m, 0, sizeof(*m));
	m->type = type;
	switch (type) {
	case TFS_LIST:
	case TFS_STAT:
	case TFS_DELETE:
	case TFS_MKDIR:
	case TFS_SUM:
		m->path = tfs_str_c("docs/r\xc3\xa9sum\xc3\xa9.txt");
		break;
	case TFS_GET:
		m->path = tfs_str_c("a/b");
		m->offset = 0x0102030405060708ULL;
		break;
	case TFS_PUT:
		m->path = tfs_str_c("up/load.bin");
		m->size = 1ULL << 40;
		m->flags = TFS_PUT_RESUME | TFS_PUT_NOCLOBBER;
		break;
	case TFS_RENAME:
		m->path = tfs_str_c("old name");
		m->to = tfs_str_c("dir/new");
		break;
	case TFS_AUTH:
		m->mech = tfs_str_c("SCRAM-SHA-256");
		m->sasl = tfs_str_c("n,,n=bob,r=rOprNGfwEbeRWgbNEkqO");
		break;
	case TFS_STEP:
	case TFS_CHALLENGE:
		m->sasl = tfs_str_c("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTC,"
		    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
		break;
	case TFS_UTIME:
		m->path = tfs_str_c("kept/times");
		m->mtime = -1234567890123LL;
		break;
	case TFS_WELCOME:
		m->user = tfs_str_c("bob");
		m->rights = TFS_RIGHT_READ | TFS_RIGHT_WRITE;
		m->sasl = tfs_str_c("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
		break;
	case TFS_DATA:
		m->data = data;
		m->datalen = sizeof(data);
		break;
	case TFS_END:
		m->count = 987654321;
		break;
	case TFS_HELLO:
		m->version = TFS_VERSION;
		m->max_payload = 1048576;
		m->name = tfs_str_c("tfsd 1.0");
		break;
	case TFS_ENTRY:
		m->kind = TFS_KIND_FILE;
		m->size = 12345;
		m->mtime = -86400;
		m->mode = 0644;
		m->name = tfs_str_c("notes.md");
		break;
	case TFS_FILE:
		m->size = 5000;
		m->offset = 1000;
		break;
	case TFS_READY:
		m->offset = 77;
		break;
	case TFS_DIGEST:
		m->algo = tfs_str_c("sha256");
		m->digest.p = sha;
		m->digest.len = sizeof(sha);
		break;
	case TFS_ERROR:
		m->code = TFS_ENOT_FOUND;
		m->text = tfs_str_c("no such file or folder");
		break;
	default:
		break;
	}
}

/* Sample i of sample_types, encoded into buf (cap bytes): its length. */
static ssize_t
encode_sample(size_t i, struct tfs_msg *m, uint8_t *buf, size_t cap)
{
	ssize_t	 n;

	sample(sample_types[i], m);
	n = proto_encode(m, buf, cap);
	CU_ASSERT_FATAL(n >= 0);
	return n;
}

static int
str_eq(struct tfs_str a, struct tfs_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void
check_same(const struct tfs_msg *a, const struct tfs_msg *b)
{
	CU_ASSERT_EQUAL(a->type, b->type);
	CU_ASSERT_TRUE(str_eq(a->path, b->path));
	CU_ASSERT_TRUE(str_eq(a->to, b->to));
	CU_ASSERT_TRUE(str_eq(a->name, b->name));
	CU_ASSERT_TRUE(str_eq(a->text, b->text));
	CU_ASSERT_TRUE(str_eq(a->algo, b->algo));
	CU_ASSERT_TRUE(str_eq(a->digest, b->digest));
	CU_ASSERT_TRUE(str_eq(a->mech, b->mech));
	CU_ASSERT_TRUE(str_eq(a->sasl, b->sasl));
	CU_ASSERT_TRUE(str_eq(a->user, b->user));
	CU_ASSERT_EQUAL(a->rights, b->rights);
	CU_ASSERT_EQUAL(a->datalen, b->datalen);
	if (a->datalen == b->datalen && a->datalen > 0) {
		CU_ASSERT_EQUAL(memcmp(a->data, b->data, a->datalen), 0);
	}
	CU_ASSERT_EQUAL(a->offset, b->offset);
	CU_ASSERT_EQUAL(a->size, b->size);
	CU_ASSERT_EQUAL(a->count, b->count);
	CU_ASSERT_EQUAL(a->mtime, b->mtime);
	CU_ASSERT_EQUAL(a->mode, b->mode);
	CU_ASSERT_EQUAL(a->max_payload, b->max_payload);
	CU_ASSERT_EQUAL(a->version, b->version);
	CU_ASSERT_EQUAL(a->code, b->code);
	CU_ASSERT_EQUAL(a->flags, b->flags);
	CU_ASSERT_EQUAL(a->kind, b->kind);
}

static void
test_proto_roundtrip_all(void)
{
	struct tfs_msg	 m, d;
	uint8_t		 buf[512];
	ssize_t		 n;
	size_t		 i;

	for (i = 0; i < NSAMPLES; i++) {
		n = encode_sample(i, &m, buf, sizeof(buf));
		CU_ASSERT_EQUAL((size_t)n, proto_encoded_len(&m));
		CU_ASSERT_EQUAL(proto_decode(m.type, buf, (size_t)n, &d),
		    PROTO_OK);
		check_same(&m, &d);
	}
}

/* m encodes to exactly the n bytes want. */
static void
encodes_as(const struct tfs_msg *m, const uint8_t *want, size_t n)
{
	uint8_t	 buf[64];

	CU_ASSERT_EQUAL(proto_encode(m, buf, sizeof(buf)), (ssize_t)n);
	CU_ASSERT_EQUAL(memcmp(buf, want, n), 0);
}

/* The n bytes p, decoded as a payload of type, answer want. */
static void
decodes_as(uint8_t type, const uint8_t *p, size_t n, enum proto_err want)
{
	struct tfs_msg	 m;

	CU_ASSERT_EQUAL(proto_decode(type, p, n, &m), want);
}

/* Exact bytes of a few messages, as PROTOCOL.md lays them out. */
static void
test_proto_wire_bytes(void)
{
	static const uint8_t	 get[] = { 0x00, 0x01, 'a', 0, 0, 0, 0, 0, 0,
				    0x01, 0x02 };
	static const uint8_t	 put[] = { 0x00, 0x02, 'x', 'y', 0, 0, 0, 0,
				    0, 0, 0, 0x10, 0x03 };
	static const uint8_t	 hello[] = { 0x00, 0x01, 0x00, 0x10, 0x00,
				    0x00, 0x00, 0x01, 'S' };
	static const uint8_t	 err[] = { 0x00, 0x0d, 0x00, 0x00 };
	static const uint8_t	 welcome[] = { 0x00, 0x01, 'u', 0x03, 0x00,
				    0x02, 'v', '=' };
	static const uint8_t	 utime[] = { 0x00, 0x01, 'f', 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t	 entry[] = { 'd', 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0x00, 0x00, 0x01, 0xed, 0x00, 0x00 };
	struct tfs_msg		 m;

	m = (struct tfs_msg){ .type = TFS_GET, .path = tfs_str_c("a"),
	    .offset = 258 };
	encodes_as(&m, get, sizeof(get));
	m = (struct tfs_msg){ .type = TFS_PUT, .path = tfs_str_c("xy"),
	    .size = 16, .flags = 3 };
	encodes_as(&m, put, sizeof(put));
	m = (struct tfs_msg){ .type = TFS_HELLO, .version = 1,
	    .max_payload = 0x100000, .name = tfs_str_c("S") };
	encodes_as(&m, hello, sizeof(hello));
	m = (struct tfs_msg){ .type = TFS_ERROR, .code = TFS_EPROTOCOL };
	encodes_as(&m, err, sizeof(err));

	m = (struct tfs_msg){ .type = TFS_WELCOME, .user = tfs_str_c("u"),
	    .rights = 3, .sasl = tfs_str_c("v=") };
	encodes_as(&m, welcome, sizeof(welcome));

	CU_ASSERT_EQUAL(proto_decode(TFS_UTIME, utime, sizeof(utime), &m),
	    PROTO_OK);
	CU_ASSERT_EQUAL(m.mtime, -2);
	CU_ASSERT_EQUAL(m.path.len, 1);

	/* s64 -1 and mode 0755 of a folder named "" (the root) */
	CU_ASSERT_EQUAL(proto_decode(TFS_ENTRY, entry, sizeof(entry), &m),
	    PROTO_OK);
	CU_ASSERT_EQUAL(m.kind, TFS_KIND_DIR);
	CU_ASSERT_EQUAL(m.mtime, -1);
	CU_ASSERT_EQUAL(m.mode, 0755);
	CU_ASSERT_EQUAL(m.name.len, 0);

	/* empty payloads: OK and QUIT */
	CU_ASSERT_EQUAL(proto_decode(TFS_OK, NULL, 0, &m), PROTO_OK);
	CU_ASSERT_EQUAL(proto_decode(TFS_QUIT, NULL, 0, &m), PROTO_OK);
	CU_ASSERT_EQUAL(m.type, TFS_QUIT);
}

/* Every proper prefix of every message is a field running past the end. */
static void
test_proto_short_every_prefix(void)
{
	struct tfs_msg	 m, d;
	uint8_t		 buf[512];
	enum proto_err	 want, got;
	ssize_t		 n, k;
	size_t		 i;

	for (i = 0; i < NSAMPLES; i++) {
		n = encode_sample(i, &m, buf, sizeof(buf));
		for (k = 0; k < n; k++) {
			/* DATA has no fields: any length is whole, 0 empty */
			if (m.type == TFS_DATA) {
				want = k == 0 ? PROTO_EEMPTY : PROTO_OK;
			} else {
				want = PROTO_ESHORT;
			}
			got = proto_decode(m.type, buf, (size_t)k, &d);
			CU_ASSERT_EQUAL(got, want);
			CU_ASSERT_EQUAL(d.type, m.type);
		}
	}
}

/* A byte left over after the fields is refused for every type but DATA. */
static void
test_proto_long_extra_byte(void)
{
	struct tfs_msg	 m, d;
	uint8_t		 buf[512];
	ssize_t		 n;
	size_t		 i;

	for (i = 0; i < NSAMPLES; i++) {
		n = encode_sample(i, &m, buf, sizeof(buf) - 1);
		buf[n] = 0;
		CU_ASSERT_EQUAL(proto_decode(m.type, buf, (size_t)n + 1, &d),
		    m.type == TFS_DATA ? PROTO_OK : PROTO_ELONG);
	}
}

/* A str count larger than what follows it, in each position. */
static void
test_proto_str_past_end(void)
{
	static const uint8_t	 list[] = { 0x00, 0x05, 'a', 'b' };
	static const uint8_t	 huge[] = { 0xff, 0xff, 'a' };
	static const uint8_t	 ren[] = { 0x00, 0x01, 'a', 0x00, 0x02, 'b' };
	static const uint8_t	 dig[] = { 0x00, 0x06, 's', 'h', 'a', '2',
				    '5', '6', 0x00, 0x20, 0x01 };
	static const uint8_t	 err[] = { 0x00, 0x01, 0x00, 0x09, 'x' };
	static const uint8_t	 one[] = { 0x00 };
	struct tfs_msg		 m;

	decodes_as(TFS_LIST, list, sizeof(list), PROTO_ESHORT);
	decodes_as(TFS_STAT, huge, sizeof(huge), PROTO_ESHORT);
	decodes_as(TFS_RENAME, ren, sizeof(ren), PROTO_ESHORT);
	decodes_as(TFS_DIGEST, dig, sizeof(dig), PROTO_ESHORT);
	decodes_as(TFS_ERROR, err, sizeof(err), PROTO_ESHORT);
	/* half a str count */
	decodes_as(TFS_MKDIR, one, sizeof(one), PROTO_ESHORT);
	/* a str of exactly the remaining bytes is fine, one less is long */
	decodes_as(TFS_LIST, list, 2, PROTO_ESHORT);
	CU_ASSERT_EQUAL(proto_decode(TFS_DELETE, ren, 3, &m), PROTO_OK);
	CU_ASSERT_EQUAL(m.path.len, 1);
	CU_ASSERT_EQUAL(m.path.p[0], 'a');
	decodes_as(TFS_DELETE, ren, 4, PROTO_ELONG);
	/* an empty payload where a str is due */
	decodes_as(TFS_SUM, NULL, 0, PROTO_ESHORT);
}

static void
test_proto_data_empty(void)
{
	struct tfs_msg	 m;
	uint8_t		 b = 'q';

	CU_ASSERT_EQUAL(proto_decode(TFS_DATA, &b, 0, &m), PROTO_EEMPTY);
	CU_ASSERT_EQUAL(proto_decode(TFS_DATA, &b, 1, &m), PROTO_OK);
	CU_ASSERT_EQUAL(m.datalen, 1);
	CU_ASSERT_PTR_EQUAL(m.data, &b);
}

/* All 256 codes: exactly the 23 of the table decode. */
static void
test_proto_unknown_types(void)
{
	struct tfs_msg	 m;
	uint8_t		 buf[512];
	unsigned int	 t, known = 0;
	ssize_t		 n;

	for (t = 0; t < 256; t++) {
		sample((uint8_t)t, &m);
		if (!tfs_type_known((uint8_t)t)) {
			CU_ASSERT_EQUAL(proto_decode((uint8_t)t, buf, 0, &m),
			    PROTO_EUNKNOWN);
			CU_ASSERT_EQUAL(m.type, t);
			CU_ASSERT_EQUAL(proto_encode(&m, buf, sizeof(buf)),
			    -1);
			continue;
		}
		known++;
		n = proto_encode(&m, buf, sizeof(buf));
		CU_ASSERT(n >= 0);
		CU_ASSERT_NOT_EQUAL(proto_decode((uint8_t)t, buf, (size_t)n,
		    &m), PROTO_EUNKNOWN);
	}
	CU_ASSERT_EQUAL(known, NSAMPLES);
}

/* Encoding into too little room fails cleanly at every size. */
static void
test_proto_encode_small_cap(void)
{
	struct tfs_msg	 m;
	uint8_t		 buf[512];
	ssize_t		 n;
	size_t		 i, cap;

	for (i = 0; i < NSAMPLES; i++) {
		n = encode_sample(i, &m, buf, sizeof(buf));
		for (cap = 0; cap < (size_t)n; cap++) {
			errno = 0;
			CU_ASSERT_EQUAL(proto_encode(&m, buf, cap), -1);
			CU_ASSERT_EQUAL(errno, EMSGSIZE);
		}
		CU_ASSERT_EQUAL(proto_encode(&m, buf, (size_t)n), n);
	}
}

/* Largest values of every integer field and the longest str survive. */
static void
test_proto_extremes(void)
{
	struct tfs_msg	 m, d;
	uint8_t		*name, *buf;
	ssize_t		 n;

	name = malloc(UINT16_MAX);
	buf = malloc(2 * UINT16_MAX + 64);
	CU_ASSERT_FATAL(name != NULL && buf != NULL);
	memset(name, 'n', UINT16_MAX);

	memset(&m, 0, sizeof(m));
	m.type = TFS_ENTRY;
	m.kind = 0xff;
	m.size = UINT64_MAX;
	m.mtime = INT64_MIN;
	m.mode = UINT32_MAX;
	m.name.p = name;
	m.name.len = UINT16_MAX;
	n = proto_encode(&m, buf, 2 * UINT16_MAX + 64);
	CU_ASSERT_EQUAL(n, 1 + 8 + 8 + 4 + 2 + UINT16_MAX);
	CU_ASSERT_EQUAL(proto_decode(TFS_ENTRY, buf, (size_t)n, &d),
	    PROTO_OK);
	check_same(&m, &d);

	memset(&m, 0, sizeof(m));
	m.type = TFS_RENAME;
	m.path.p = name;
	m.path.len = UINT16_MAX;
	m.to = m.path;
	n = proto_encode(&m, buf, 2 * UINT16_MAX + 64);
	CU_ASSERT_EQUAL(n, 4 + 2 * UINT16_MAX);
	CU_ASSERT_EQUAL((size_t)n, proto_encoded_len(&m));
	CU_ASSERT_EQUAL(proto_decode(TFS_RENAME, buf, (size_t)n, &d),
	    PROTO_OK);
	check_same(&m, &d);
	free(name);
	free(buf);
}

static void
test_proto_type_tables(void)
{
	unsigned int	 t;

	CU_ASSERT_STRING_EQUAL(tfs_type_name(TFS_LIST), "LIST");
	CU_ASSERT_STRING_EQUAL(tfs_type_name(TFS_ERROR), "ERROR");
	CU_ASSERT_STRING_EQUAL(tfs_type_name(TFS_DIGEST), "DIGEST");
	CU_ASSERT_STRING_EQUAL(tfs_type_name(0x33), "0x33");
	CU_ASSERT_STRING_EQUAL(tfs_type_name(0x00), "0x00");
	CU_ASSERT_STRING_EQUAL(tfs_type_name(TFS_CHALLENGE), "CHALLENGE");
	for (t = 0; t < 256; t++) {
		CU_ASSERT_EQUAL(tfs_type_is_request((uint8_t)t),
		    t >= TFS_LIST && t <= TFS_UTIME);
	}
	CU_ASSERT_FALSE(tfs_type_is_request(TFS_DATA));
	CU_ASSERT_FALSE(tfs_type_is_request(TFS_END));
	CU_ASSERT_FALSE(tfs_type_is_request(TFS_WELCOME));
	CU_ASSERT_TRUE(tfs_type_known(TFS_END));
	CU_ASSERT_TRUE(tfs_type_known(0x0a));
	CU_ASSERT_FALSE(tfs_type_known(0x0d));
	CU_ASSERT_FALSE(tfs_type_known(0x48));
	CU_ASSERT_FALSE(tfs_type_known(0x80));
	CU_ASSERT_PTR_NOT_NULL(proto_strerror(PROTO_ESHORT));
	CU_ASSERT_STRING_NOT_EQUAL(proto_strerror(PROTO_ESHORT),
	    proto_strerror(PROTO_ELONG));
}

/* The 18 codes of PROTOCOL.md, both ways. */
static void
test_proto_err_table(void)
{
	static const char	*names[] = { "NOT_FOUND", "EXISTS", "DENIED",
		"BAD_PATH", "NOT_A_FILE", "NOT_A_DIR", "NOT_EMPTY", "NO_SPACE",
		"TOO_LARGE", "BUSY", "RANGE", "IO", "PROTOCOL", "UNSUPPORTED",
		"TIMEOUT", "SHUTTING_DOWN", "AUTH_FAILED", "AUTH_REQUIRED" };
	unsigned int		 c;

	CU_ASSERT_EQUAL(TFS_ERR_MAX, 18);
	for (c = 1; c <= 18; c++) {
		CU_ASSERT_STRING_EQUAL(tfs_err_name(c), names[c - 1]);
		CU_ASSERT_EQUAL(tfs_err_from_name(names[c - 1]), (int)c);
		CU_ASSERT_PTR_NOT_NULL(tfs_err_text(c));
	}
	CU_ASSERT_STRING_EQUAL(tfs_err_text(TFS_ENOT_FOUND),
	    "no such file or folder");
	CU_ASSERT_EQUAL(TFS_ESHUTTING_DOWN, 16);
	CU_ASSERT_EQUAL(TFS_EIO, 12);
	CU_ASSERT_EQUAL(TFS_EAUTH_REQUIRED, 18);
	CU_ASSERT_PTR_NULL(tfs_err_name(0));
	CU_ASSERT_PTR_NULL(tfs_err_name(19));
	CU_ASSERT_PTR_NULL(tfs_err_text(0));
	CU_ASSERT_PTR_NULL(tfs_err_text(1000));
	CU_ASSERT_EQUAL(tfs_err_from_name("not_found"), -1);
	CU_ASSERT_EQUAL(tfs_err_from_name(""), -1);
	CU_ASSERT_EQUAL(tfs_err_from_name(NULL), -1);
}

static void
test_proto_err_from_errno(void)
{
	CU_ASSERT_EQUAL(tfs_err_from_errno(ENOENT), TFS_ENOT_FOUND);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EEXIST), TFS_EEXISTS);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EACCES), TFS_EDENIED);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EPERM), TFS_EDENIED);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EROFS), TFS_EDENIED);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EISDIR), TFS_ENOT_A_FILE);
	CU_ASSERT_EQUAL(tfs_err_from_errno(ENOTDIR), TFS_ENOT_A_DIR);
	CU_ASSERT_EQUAL(tfs_err_from_errno(ENOTEMPTY), TFS_ENOT_EMPTY);
	CU_ASSERT_EQUAL(tfs_err_from_errno(ENOSPC), TFS_ENO_SPACE);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EDQUOT), TFS_ENO_SPACE);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EFBIG), TFS_ETOO_LARGE);
	CU_ASSERT_EQUAL(tfs_err_from_errno(ELOOP), TFS_EBAD_PATH);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EXDEV), TFS_EBAD_PATH);
	CU_ASSERT_EQUAL(tfs_err_from_errno(ETIMEDOUT), TFS_ETIMEOUT);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EIO), TFS_EIO);
	CU_ASSERT_EQUAL(tfs_err_from_errno(EBADF), TFS_EIO);
	CU_ASSERT_EQUAL(tfs_err_from_errno(0), TFS_EIO);
}

static void
test_proto_str_c(void)
{
	struct tfs_str	 s;

	s = tfs_str_c("abc");
	CU_ASSERT_EQUAL(s.len, 3);
	s = tfs_str_c("");
	CU_ASSERT_EQUAL(s.len, 0);
	s = tfs_str_c(NULL);
	CU_ASSERT_EQUAL(s.len, 0);
}

CU_TestInfo tests_proto[] = {
	TEST(test_proto_roundtrip_all),
	TEST(test_proto_wire_bytes),
	TEST(test_proto_short_every_prefix),
	TEST(test_proto_long_extra_byte),
	TEST(test_proto_str_past_end),
	TEST(test_proto_data_empty),
	TEST(test_proto_unknown_types),
	TEST(test_proto_encode_small_cap),
	TEST(test_proto_extremes),
	TEST(test_proto_type_tables),
	TEST(test_proto_err_table),
	TEST(test_proto_err_from_errno),
	TEST(test_proto_str_c),
	CU_TEST_INFO_NULL,
};
