/*
 * proto.c -- TFS/1 messages: payloads to structs and back, and the tables
 * of types and error codes.
 *
 * Pure: no I/O, no allocation, no global state but the tables.  Every
 * read of a peer's payload goes through the bounds-checked reader below;
 * a payload must be exactly as long as its fields.  Decoded strings point
 * into the caller's payload.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

/* A cursor over a peer's payload; bad is set once a field ran past end. */
struct rd {
	const uint8_t	*p;
	size_t		 len, off;
	int		 bad;
};

/* A cursor over an output buffer; bad is set once it would overflow. */
struct wr {
	uint8_t		*p;
	size_t		 cap, off;
	int		 bad;
};

static const uint8_t	*rd_take(struct rd *, size_t);
static uint8_t		 rd_u8(struct rd *);
static uint16_t		 rd_u16(struct rd *);
static uint32_t		 rd_u32(struct rd *);
static uint64_t		 rd_u64(struct rd *);
static struct tfs_str	 rd_str(struct rd *);
static void		 wr_put(struct wr *, const void *, size_t);
static void		 wr_u8(struct wr *, uint8_t);
static void		 wr_u16(struct wr *, uint16_t);
static void		 wr_u32(struct wr *, uint32_t);
static void		 wr_u64(struct wr *, uint64_t);
static void		 wr_str(struct wr *, struct tfs_str);
static void		 proto_fields(const struct tfs_msg *, struct wr *);

static const struct {
	uint8_t		 type;
	const char	*name;
} tfs_types[] = {
	{ TFS_LIST,	"LIST" },
	{ TFS_STAT,	"STAT" },
	{ TFS_GET,	"GET" },
	{ TFS_PUT,	"PUT" },
	{ TFS_DELETE,	"DELETE" },
	{ TFS_RENAME,	"RENAME" },
	{ TFS_MKDIR,	"MKDIR" },
	{ TFS_SUM,	"SUM" },
	{ TFS_QUIT,	"QUIT" },
	{ TFS_DATA,	"DATA" },
	{ TFS_END,	"END" },
	{ TFS_HELLO,	"HELLO" },
	{ TFS_OK,	"OK" },
	{ TFS_ENTRY,	"ENTRY" },
	{ TFS_FILE,	"FILE" },
	{ TFS_READY,	"READY" },
	{ TFS_DIGEST,	"DIGEST" },
	{ TFS_ERROR,	"ERROR" },
};

/* Indexed by code - 1; the order of the table in PROTOCOL.md. */
static const struct {
	const char	*name;
	const char	*text;
} tfs_errs[TFS_ERR_MAX] = {
	{ "NOT_FOUND",		"no such file or folder" },
	{ "EXISTS",		"the target exists" },
	{ "DENIED",		"permission denied" },
	{ "BAD_PATH",		"the path breaks the naming rules" },
	{ "NOT_A_FILE",		"not a regular file" },
	{ "NOT_A_DIR",		"not a folder" },
	{ "NOT_EMPTY",		"the folder is not empty" },
	{ "NO_SPACE",		"no space left on the server" },
	{ "TOO_LARGE",		"over the server's file-size limit" },
	{ "BUSY",		"another upload of this path is in progress" },
	{ "RANGE",		"offset beyond the end of the file" },
	{ "IO",			"the server failed to read or write" },
	{ "PROTOCOL",		"malformed or unexpected frame" },
	{ "UNSUPPORTED",	"unsupported request or flag" },
	{ "TIMEOUT",		"timed out" },
	{ "SHUTTING_DOWN",	"the server is shutting down" },
	{ "AUTH_FAILED",	"sign-in failed" },
	{ "AUTH_REQUIRED",	"sign in first" },
};

/* n bytes of the payload, or NULL (and bad set) if they run past its end. */
static const uint8_t *
rd_take(struct rd *r, size_t n)
{
	const uint8_t	*p;

	/* the payload is the peer's: never trust a field to fit */
	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	/* an empty field of an empty payload: no pointer arithmetic on NULL */
	if (n == 0) {
		return (const uint8_t *)"";
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static uint8_t
rd_u8(struct rd *r)
{
	const uint8_t	*p = rd_take(r, 1);

	return p == NULL ? 0 : p[0];
}

static uint16_t
rd_u16(struct rd *r)
{
	const uint8_t	*p = rd_take(r, 2);

	if (p == NULL) {
		return 0;
	}
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd_u32(struct rd *r)
{
	const uint8_t	*p = rd_take(r, 4);

	if (p == NULL) {
		return 0;
	}
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
rd_u64(struct rd *r)
{
	uint64_t	 hi, lo;

	hi = rd_u32(r);
	lo = rd_u32(r);
	return hi << 32 | lo;
}

/* A str: u16 count, then that many bytes, which must all be there. */
static struct tfs_str
rd_str(struct rd *r)
{
	struct tfs_str	 s;

	s.len = rd_u16(r);
	s.p = rd_take(r, s.len);
	if (s.p == NULL) {
		s.len = 0;
	}
	return s;
}

static void
wr_put(struct wr *w, const void *p, size_t n)
{
	if (w->bad || n > w->cap - w->off) {
		w->bad = 1;
		return;
	}
	/* the counting pass has no buffer: only the offset matters */
	if (w->p != NULL && n > 0) {
		memcpy(w->p + w->off, p, n);
	}
	w->off += n;
}

static void
wr_u8(struct wr *w, uint8_t v)
{
	wr_put(w, &v, 1);
}

static void
wr_u16(struct wr *w, uint16_t v)
{
	uint8_t	 b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wr_put(w, b, sizeof(b));
}

static void
wr_u32(struct wr *w, uint32_t v)
{
	uint8_t	 b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		    (uint8_t)(v >> 8), (uint8_t)v };

	wr_put(w, b, sizeof(b));
}

static void
wr_u64(struct wr *w, uint64_t v)
{
	wr_u32(w, (uint32_t)(v >> 32));
	wr_u32(w, (uint32_t)v);
}

static void
wr_str(struct wr *w, struct tfs_str s)
{
	wr_u16(w, s.len);
	wr_put(w, s.p, s.len);
}

/*
 * Decode payload p (len bytes) of a frame of the given type into m.  m is
 * cleared first and m->type is set even on failure, so that the caller
 * can answer an unknown type.
 */
enum proto_err
proto_decode(uint8_t type, const uint8_t *p, size_t len, struct tfs_msg *m)
{
	struct rd	 r = { p, len, 0, 0 };

	memset(m, 0, sizeof(*m));
	m->type = type;
	switch (type) {
	case TFS_LIST:
	case TFS_STAT:
	case TFS_DELETE:
	case TFS_MKDIR:
	case TFS_SUM:
		m->path = rd_str(&r);
		break;
	case TFS_GET:
		m->path = rd_str(&r);
		m->offset = rd_u64(&r);
		break;
	case TFS_PUT:
		m->path = rd_str(&r);
		m->size = rd_u64(&r);
		m->flags = rd_u8(&r);
		break;
	case TFS_RENAME:
		m->path = rd_str(&r);
		m->to = rd_str(&r);
		break;
	case TFS_QUIT:
	case TFS_OK:
		break;
	case TFS_DATA:
		if (len == 0) {
			return PROTO_EEMPTY;
		}
		m->data = rd_take(&r, len);
		m->datalen = len;
		break;
	case TFS_END:
		m->count = rd_u64(&r);
		break;
	case TFS_HELLO:
		m->version = rd_u16(&r);
		m->max_payload = rd_u32(&r);
		m->name = rd_str(&r);
		break;
	case TFS_ENTRY:
		m->kind = rd_u8(&r);
		m->size = rd_u64(&r);
		m->mtime = (int64_t)rd_u64(&r);
		m->mode = rd_u32(&r);
		m->name = rd_str(&r);
		break;
	case TFS_FILE:
		m->size = rd_u64(&r);
		m->offset = rd_u64(&r);
		break;
	case TFS_READY:
		m->offset = rd_u64(&r);
		break;
	case TFS_DIGEST:
		m->algo = rd_str(&r);
		m->digest = rd_str(&r);
		break;
	case TFS_ERROR:
		m->code = rd_u16(&r);
		m->text = rd_str(&r);
		break;
	default:
		return PROTO_EUNKNOWN;
	}
	if (r.bad) {
		return PROTO_ESHORT;
	}
	if (r.off != r.len) {
		return PROTO_ELONG;
	}
	return PROTO_OK;
}

/* Write m's fields through w: the single description of every layout. */
static void
proto_fields(const struct tfs_msg *m, struct wr *w)
{
	switch (m->type) {
	case TFS_LIST:
	case TFS_STAT:
	case TFS_DELETE:
	case TFS_MKDIR:
	case TFS_SUM:
		wr_str(w, m->path);
		break;
	case TFS_GET:
		wr_str(w, m->path);
		wr_u64(w, m->offset);
		break;
	case TFS_PUT:
		wr_str(w, m->path);
		wr_u64(w, m->size);
		wr_u8(w, m->flags);
		break;
	case TFS_RENAME:
		wr_str(w, m->path);
		wr_str(w, m->to);
		break;
	case TFS_QUIT:
	case TFS_OK:
		break;
	case TFS_DATA:
		wr_put(w, m->data, m->datalen);
		break;
	case TFS_END:
		wr_u64(w, m->count);
		break;
	case TFS_HELLO:
		wr_u16(w, m->version);
		wr_u32(w, m->max_payload);
		wr_str(w, m->name);
		break;
	case TFS_ENTRY:
		wr_u8(w, m->kind);
		wr_u64(w, m->size);
		wr_u64(w, (uint64_t)m->mtime);
		wr_u32(w, m->mode);
		wr_str(w, m->name);
		break;
	case TFS_FILE:
		wr_u64(w, m->size);
		wr_u64(w, m->offset);
		break;
	case TFS_READY:
		wr_u64(w, m->offset);
		break;
	case TFS_DIGEST:
		wr_str(w, m->algo);
		wr_str(w, m->digest);
		break;
	case TFS_ERROR:
		wr_u16(w, m->code);
		wr_str(w, m->text);
		break;
	default:
		w->bad = 1;
		break;
	}
}

/*
 * Encode m's payload into out.  Returns the payload length, or -1 with
 * errno EMSGSIZE when it does not fit in cap, EINVAL for an unknown type.
 * An empty DATA is encoded as asked (a test may want to send one).
 */
ssize_t
proto_encode(const struct tfs_msg *m, uint8_t *out, size_t cap)
{
	struct wr	 w = { out, cap, 0, 0 };

	if (!tfs_type_known(m->type)) {
		errno = EINVAL;
		return -1;
	}
	proto_fields(m, &w);
	if (w.bad) {
		errno = EMSGSIZE;
		return -1;
	}
	return (ssize_t)w.off;
}

/* Payload length m will encode to; 0 for an unknown type. */
size_t
proto_encoded_len(const struct tfs_msg *m)
{
	struct wr	 w = { NULL, SIZE_MAX, 0, 0 };

	proto_fields(m, &w);
	return w.bad ? 0 : w.off;
}

const char *
proto_strerror(enum proto_err err)
{
	switch (err) {
	case PROTO_OK:
		return "no error";
	case PROTO_EUNKNOWN:
		return "unknown message type";
	case PROTO_ESHORT:
		return "a field runs past the end of the payload";
	case PROTO_ELONG:
		return "bytes left over after the fields";
	case PROTO_EEMPTY:
		return "empty DATA";
	}
	return "unknown message error";
}

/* A str over a C string; lengths above 65535 are the caller's check. */
struct tfs_str
tfs_str_c(const char *s)
{
	struct tfs_str	 t;
	size_t		 n = s == NULL ? 0 : strlen(s);

	t.p = (const uint8_t *)s;
	t.len = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;
	return t;
}

int
tfs_type_known(uint8_t type)
{
	size_t	 i;

	for (i = 0; i < sizeof(tfs_types) / sizeof(tfs_types[0]); i++) {
		if (tfs_types[i].type == type) {
			return 1;
		}
	}
	return 0;
}

/* The client-to-server requests; DATA and END belong to transfers. */
int
tfs_type_is_request(uint8_t type)
{
	return type >= TFS_LIST && type <= TFS_QUIT;
}

/*
 * "LIST", or "0x33" for a type not in the table.  The latter lives in a
 * static buffer overwritten by the next such call.
 */
const char *
tfs_type_name(uint8_t type)
{
	static char	 hex[8];
	size_t		 i;

	for (i = 0; i < sizeof(tfs_types) / sizeof(tfs_types[0]); i++) {
		if (tfs_types[i].type == type) {
			return tfs_types[i].name;
		}
	}
	(void)snprintf(hex, sizeof(hex), "0x%02x", type);
	return hex;
}

const char *
tfs_err_name(unsigned code)
{
	if (code < 1 || code > TFS_ERR_MAX) {
		return NULL;
	}
	return tfs_errs[code - 1].name;
}

const char *
tfs_err_text(unsigned code)
{
	if (code < 1 || code > TFS_ERR_MAX) {
		return NULL;
	}
	return tfs_errs[code - 1].text;
}

int
tfs_err_from_name(const char *name)
{
	int	 i;

	if (name == NULL) {
		return -1;
	}
	for (i = 0; i < TFS_ERR_MAX; i++) {
		if (strcmp(tfs_errs[i].name, name) == 0) {
			return i + 1;
		}
	}
	return -1;
}

/*
 * The TFS/1 error for a failed system call.  ELOOP and EXDEV are what
 * O_NOFOLLOW and openat2(RESOLVE_BENEATH) answer for a symbolic link
 * that leaves the root: the path is refused, as the rules say.
 */
enum tfs_err
tfs_err_from_errno(int errnum)
{
	switch (errnum) {
	case ENOENT:
		return TFS_ENOT_FOUND;
	case EEXIST:
		return TFS_EEXISTS;
	case EACCES:
	case EPERM:
	case EROFS:
		return TFS_EDENIED;
	case EISDIR:
		return TFS_ENOT_A_FILE;
	case ENOTDIR:
		return TFS_ENOT_A_DIR;
	case ENOTEMPTY:
		return TFS_ENOT_EMPTY;
	case ENOSPC:
	case EDQUOT:
		return TFS_ENO_SPACE;
	case EFBIG:
		return TFS_ETOO_LARGE;
	case ELOOP:
	case EXDEV:
	case ENAMETOOLONG:
		return TFS_EBAD_PATH;
	case ETIMEDOUT:
		return TFS_ETIMEOUT;
	default:
		return TFS_EIO;
	}
}
