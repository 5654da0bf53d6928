/*
 * proto.h -- TFS/1 messages as structs: encode and decode payloads, the
 * type and error-code tables.  Pure: no I/O, no allocation.
 */

#ifndef COMMON_PROTO_H
#define COMMON_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TFS_VERSION		1
#define TFS_DEFAULT_PORT	10069

enum tfs_type {
	TFS_LIST	= 0x01,
	TFS_STAT	= 0x02,
	TFS_GET		= 0x03,
	TFS_PUT		= 0x04,
	TFS_DELETE	= 0x05,
	TFS_RENAME	= 0x06,
	TFS_MKDIR	= 0x07,
	TFS_SUM		= 0x08,
	TFS_QUIT	= 0x09,
	TFS_DATA	= 0x20,
	TFS_END		= 0x21,
	TFS_HELLO	= 0x40,
	TFS_OK		= 0x41,
	TFS_ENTRY	= 0x42,
	TFS_FILE	= 0x43,
	TFS_READY	= 0x44,
	TFS_DIGEST	= 0x45,
	TFS_ERROR	= 0x7f,
};

enum tfs_err {
	TFS_ENOT_FOUND = 1,
	TFS_EEXISTS,
	TFS_EDENIED,
	TFS_EBAD_PATH,
	TFS_ENOT_A_FILE,
	TFS_ENOT_A_DIR,
	TFS_ENOT_EMPTY,
	TFS_ENO_SPACE,
	TFS_ETOO_LARGE,
	TFS_EBUSY,
	TFS_ERANGE,
	TFS_EIO,
	TFS_EPROTOCOL,
	TFS_EUNSUPPORTED,
	TFS_ETIMEOUT,
	TFS_ESHUTTING_DOWN,
	TFS_EAUTH_FAILED,
	TFS_EAUTH_REQUIRED,
	TFS_ERR_MAX = TFS_EAUTH_REQUIRED
};

#define TFS_PUT_RESUME		0x01
#define TFS_PUT_NOCLOBBER	0x02
#define TFS_PUT_FLAGS		(TFS_PUT_RESUME | TFS_PUT_NOCLOBBER)

#define TFS_KIND_FILE		'f'
#define TFS_KIND_DIR		'd'

#define TFS_SHA256_LEN		32

/* A counted string; when decoded it points into the payload. */
struct tfs_str {
	const uint8_t	*p;
	uint16_t	 len;
};

/*
 * One message.  Only the fields of m->type are read or written:
 *   LIST STAT DELETE MKDIR SUM: path    GET: path offset
 *   PUT: path size flags                RENAME: path to
 *   DATA: data datalen                  END: count
 *   HELLO: version max_payload name     ENTRY: kind size mtime mode name
 *   FILE: size offset                   READY: offset
 *   DIGEST: algo digest                 ERROR: code text
 *   QUIT OK: nothing
 */
struct tfs_msg {
	uint8_t		 type;
	struct tfs_str	 path;
	struct tfs_str	 to;
	struct tfs_str	 name;
	struct tfs_str	 text;
	struct tfs_str	 algo;
	struct tfs_str	 digest;
	const uint8_t	*data;
	size_t		 datalen;
	uint64_t	 offset;
	uint64_t	 size;
	uint64_t	 count;
	int64_t		 mtime;
	uint32_t	 mode;
	uint32_t	 max_payload;
	uint16_t	 version;
	uint16_t	 code;
	uint8_t		 flags;
	uint8_t		 kind;
};

enum proto_err {
	PROTO_OK = 0,
	PROTO_EUNKNOWN,		/* type not in the table */
	PROTO_ESHORT,		/* a field runs past the payload */
	PROTO_ELONG,		/* bytes left over after the fields */
	PROTO_EEMPTY,		/* DATA with no bytes */
};

/* Decode payload p (len bytes) of a frame of the given type into m. */
enum proto_err	 proto_decode(uint8_t type, const uint8_t *p, size_t len,
		    struct tfs_msg *m);
/*
 * Encode m's payload into out.  Returns the payload length, or -1 when
 * it does not fit in cap (EMSGSIZE) or the type is unknown (EINVAL).
 */
ssize_t		 proto_encode(const struct tfs_msg *m, uint8_t *out,
		    size_t cap);
/* Payload length m will encode to. */
size_t		 proto_encoded_len(const struct tfs_msg *m);
const char	*proto_strerror(enum proto_err);

/* Set a str from a C string (len truncated to 65535 is the caller's check). */
struct tfs_str	 tfs_str_c(const char *s);

int		 tfs_type_known(uint8_t type);
int		 tfs_type_is_request(uint8_t type);	/* C->S request */
const char	*tfs_type_name(uint8_t type);		/* "LIST", or "0x33" */

/* Error table: code <-> name <-> words for people.  NULL when unknown. */
const char	*tfs_err_name(unsigned code);		/* "NOT_FOUND" */
const char	*tfs_err_text(unsigned code);		/* "no such file or folder" */
int		 tfs_err_from_name(const char *name);	/* code, or -1 */
/* The TFS/1 error for a failed system call's errno. */
enum tfs_err	 tfs_err_from_errno(int errnum);

#endif /* COMMON_PROTO_H */
