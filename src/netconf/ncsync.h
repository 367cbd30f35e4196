/* Spreading signed netconfigs between members (pure: no I/O, no globals,
 * time as an argument). The glue (src/daemon/ncsync-glue.c) carries the
 * messages in the tunnels and applies what this module fetched.
 *
 * Messages are tunnel control messages (src/tunnel/wire.h: a plaintext
 * whose first byte is 0x01-0x0f), so only a member with a session sends
 * them. Integers are big-endian.
 *	NC_HAVE	 0x03, version (8), hash (16)		25 bytes
 *		 "I run this version": after each handshake, and to every
 *		 member with a session when the running version changes.
 *	NC_GET	 0x04, version (8), offset (4)		13 bytes
 *	NC_CHUNK 0x05, version (8), offset (4), total (4), n (2), n bytes
 *		 (n <= NCSYNC_CHUNK_MAX): the answer to a GET of the version the
 *		 sender runs; nothing answers a GET of another version.
 *
 * One fetch at a time, one GET in flight. A member that announces a
 * higher version becomes an offer; the fetch takes the highest offer,
 * asks for the next chunk when one arrives, and gives up on that member
 * after NCSYNC_TIMEOUT_MS without one (trying it again after
 * NCSYNC_RETRY_MS, or at its next announcement). A complete file whose
 * hash is the announced one is handed to the caller
 * (NCSYNC_ACT_FETCHED), who judges it (sign.h's netconf_accept) and says
 * so with ncsync_result. A refusal is remembered per (member, version):
 * that member's announcement of that version is not fetched again, and
 * the refusal is reported once. */
#ifndef MESH_NCSYNC_H
#define MESH_NCSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "netconf/keys.h"
#include "netconf/sign.h"

#define NCSYNC_T_HAVE		0x03
#define NCSYNC_T_GET		0x04
#define NCSYNC_T_CHUNK		0x05
#define NCSYNC_HAVE_LEN		25
#define NCSYNC_GET_LEN		13
#define NCSYNC_CHUNK_HDR	19
#define NCSYNC_CHUNK_MAX	1024	/* fits any path MTU in the tunnel */
#define NCSYNC_MSG_MAX		(NCSYNC_CHUNK_HDR + NCSYNC_CHUNK_MAX)

#define NCSYNC_TIMEOUT_MS	2000
#define NCSYNC_RETRY_MS		10000
#define NCSYNC_MAX_OFFERS	64
#define NCSYNC_MAX_REFUSED	64
#define NCSYNC_MAX_ACTIONS	8

/* A decoded message; data points into the decoded buffer. */
struct ncsync_msg {
	unsigned	 type;
	uint64_t	 version;
	uint8_t		 hash[NETCONF_HASH_LEN];	/* HAVE */
	uint32_t	 offset;			/* GET, CHUNK */
	uint32_t	 total;				/* CHUNK */
	const uint8_t	*data;				/* CHUNK */
	size_t		 len;
};

/* 0, or -1 for anything that is not one of the three well formed. */
int	ncsync_decode(const uint8_t *pt, size_t len, struct ncsync_msg *);
/* The encoders return the message's length. */
size_t	ncsync_put_have(uint8_t out[NCSYNC_HAVE_LEN], uint64_t version,
	    const uint8_t hash[NETCONF_HASH_LEN]);
size_t	ncsync_put_get(uint8_t out[NCSYNC_GET_LEN], uint64_t version,
	    uint32_t offset);

enum ncsync_act_type {
	NCSYNC_ACT_GET,		/* send NC_GET(version, offset) to peer */
	NCSYNC_ACT_FETCHED,	/* buf, len: judge it, then ncsync_result */
	NCSYNC_ACT_REFUSED,	/* verdict: refused before judging; log,
				 * count (once per peer and version) */
};

struct ncsync_action {
	enum ncsync_act_type	 type;
	uint8_t			 peer[KEY_LEN];
	uint64_t		 version;
	uint32_t		 offset;
	enum nc_verdict		 verdict;
	char			*buf;	/* FETCHED: the caller's to free */
	size_t			 len;
};

struct ncsync_offer {
	int		 used;
	uint8_t		 peer[KEY_LEN];
	uint64_t	 version;
	uint8_t		 hash[NETCONF_HASH_LEN];
	uint64_t	 retry_at;	/* 0: now */
};

struct ncsync_refusal {
	uint8_t		 peer[KEY_LEN];
	uint64_t	 version;
};

struct ncsync {
	/* What runs here, served to members that ask (a copy). */
	uint64_t		 version;
	uint8_t			 hash[NETCONF_HASH_LEN];
	char			*buf;
	size_t			 len;
	size_t			 max_size;

	struct ncsync_offer	 offers[NCSYNC_MAX_OFFERS];
	struct ncsync_refusal	 refused[NCSYNC_MAX_REFUSED];
	size_t			 nrefused, refused_next;

	/* The fetch in progress (fetching), or the file being judged
	 * (judging: nothing else is fetched until ncsync_result). */
	int			 fetching, judging;
	struct ncsync_offer	 cur;
	char			*fbuf;
	uint32_t		 total, got;
	uint64_t		 deadline;

	struct ncsync_action	 act[NCSYNC_MAX_ACTIONS];
	size_t			 nact, act_next;

	uint64_t		 fetches, timeouts;
};

/* max_size: the largest file fetched (NETCONF_MAX_SIZE). */
void	ncsync_init(struct ncsync *, size_t max_size);
void	ncsync_free(struct ncsync *);

/* What runs here now (buf, len: the file, copied). Offers of this version
 * or lower are forgotten; a fetch of one is abandoned. -1: out of memory
 * (then nothing is served). */
int	ncsync_set_local(struct ncsync *, uint64_t version,
	    const char *buf, size_t len);

/* peer announced (version, hash). */
void	ncsync_have(struct ncsync *, const uint8_t peer[KEY_LEN],
	    uint64_t version, const uint8_t hash[NETCONF_HASH_LEN],
	    uint64_t now);
/* peer sent a chunk. */
void	ncsync_chunk(struct ncsync *, const uint8_t peer[KEY_LEN],
	    const struct ncsync_msg *, uint64_t now);
/* The answer to peer's NC_GET into out (NCSYNC_MSG_MAX bytes): its length,
 * or 0 when there is nothing to answer (not our version, past the end). */
size_t	ncsync_serve(const struct ncsync *, const struct ncsync_msg *get,
	    uint8_t *out);
/* The verdict on the last FETCHED file. NCV_OK: the caller applies it
 * (and calls ncsync_set_local). Else it is remembered as refused; returns
 * 1 if this is the first refusal of that (peer, version), to be logged. */
int	ncsync_result(struct ncsync *, const uint8_t peer[KEY_LEN],
	    uint64_t version, enum nc_verdict, uint64_t now);
/* peer is no member any more: forget its offer, abandon a fetch from it. */
void	ncsync_forget(struct ncsync *, const uint8_t peer[KEY_LEN],
	    uint64_t now);

/* Timers: the next deadline (UINT64_MAX: none). */
uint64_t ncsync_periodic(struct ncsync *, uint64_t now);
/* The next action; 0 when there is none. */
int	ncsync_next_action(struct ncsync *, struct ncsync_action *);

#endif
