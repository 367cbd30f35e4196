/* Inside the control protocol: the field tables and value checks that the
 * decoder (ctlproto.c) and the encoder (ctlproto-writer.c) share, so that
 * both ends agree by construction. Not for other modules: use ctlproto.h. */
#ifndef MESH_CTLPROTO_INT_H
#define MESH_CTLPROTO_INT_H

#include <stddef.h>
#include <sys/types.h>

#define CTL_HEADER	"mesh-ctl"
#define DROP_PREFIX	"drop_"

enum ctl_ftype {
	F_TOKEN,	/* printable, no blanks */
	F_TEXT,		/* printable, blanks allowed */
	F_KEY,		/* 43-char base64url key */
	F_U64,
	F_PORT,		/* 0..65535 */
	F_ADDR4,	/* IPv4 address, optional /0..32 */
	F_ADDR6,	/* IPv6 address, optional /0..128 */
	F_ENDPOINT,	/* host:port or [v6]:port */
	F_DONE,		/* the literal "done" (marks a present record) */
};

struct ctl_field {
	const char	*name;
	enum ctl_ftype	 type;
	size_t		 off;
	size_t		 size;		/* of a string field */
};

enum ctl_rec {
	REC_NONE = -1,
	REC_IFACE = 0,
	REC_PEER,
	REC_DHT,
	REC_BUCKET,
	REC_SEARCH,
	REC_RELOAD,
	REC_LOOKUP,
	REC_LOOKUP_EP,
	REC_LOOKUP_RV,
	REC_COUNT
};

struct ctl_rectype {
	const char		*what;		/* for error messages */
	const struct ctl_field	*fields;
	size_t			 nfields;
	ssize_t			 counters;	/* offset of drops[], or -1 */
	ssize_t			 ncounters;	/* offset of ndrops */
};

/* One table per record kind, indexed by enum ctl_rec. */
extern const struct ctl_rectype ctl_rectypes[REC_COUNT];

/* A counter's name: 1 if s (len bytes) may follow DROP_PREFIX. */
int	ctl_valid_counter_name(const char *s, size_t len);

#endif
