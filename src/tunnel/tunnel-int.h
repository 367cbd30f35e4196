/* Internals of the tunnel module shared by its files (not for the glue):
 * the peer and local structures, the receiver-index table and keypairs
 * (tunnel-index.c), the timer events (tunnel-timers.c), the transport
 * (tunnel-data.c); tunnel.c has the peers, the handshake and the receive
 * dispatch.
 *
 * Keypairs: a peer has up to three, as WireGuard:
 *	next	the responder's newest, not yet confirmed: it may not send
 *		with it until the initiator's first data packet on it arrives
 *	cur	the one we send with
 *	prev	the one before cur, still accepted on receive, so packets in
 *		flight during a rekey are not lost
 * They live in four slots (the fourth takes a new keypair before an old
 * one is dropped). Each keypair's local index is in the local index table,
 * as is the index of the handshake in flight. */
#ifndef MESH_TUNNEL_INT_H
#define MESH_TUNNEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "tunnel/cookie.h"
#include "tunnel/noise.h"
#include "tunnel/replay.h"
#include "tunnel/tunnel.h"
#include "tunnel/wire.h"

#define NEVER		UINT64_MAX
#define NSLOTS		4
/* live indices per peer: three keypairs and a handshake */
#define PEER_INDICES	4

struct tunnel_keypair {
	/* first, for their 16-byte alignment */
	crypto_aead_aes256gcm_state	aes_send;
	crypto_aead_aes256gcm_state	aes_recv;
	struct noise_keypair		k;
	struct replay			replay;
	struct tunnel			*peer;
	uint64_t			birth;		/* ms */
	uint64_t			send_counter;	/* next to use */
	int				in_use;
};

struct index_entry {
	uint32_t		 index;
	int			 used;
	struct tunnel		*peer;
	struct tunnel_keypair	*kp;	/* NULL: the peer's handshake */
};

struct tunnel_local {
	struct tunnel_config	 cfg;
	struct noise_local	 noise;
	struct cookie_checker	 cookie;
	uint8_t			 ciphers;	/* allowed and available */
	struct tunnel		**peers;
	size_t			 npeers, max_peers;
	struct index_entry	*index;
	size_t			 index_mask;	/* table size - 1 */
	size_t			 index_used;
	uint64_t		 drops[TUNNEL_ERR_COUNT];
	tunnel_admit_fn		*admit;
	void			*admit_arg;
};

struct tunnel {
	struct tunnel_keypair	 slots[NSLOTS];
	struct tunnel_keypair	*prev, *cur, *next;
	struct tunnel_local	*local;
	void			*user;
	struct noise_remote	 remote;
	struct cookie_maker	 cookie;

	uint32_t		 hs_index;	/* of our initiation in flight */
	int			 hs_index_live;
	int			 hs_active;	/* an attempt is running */
	uint64_t		 hs_started;	/* ms, start of the attempt */
	uint32_t		 attempts;
	uint64_t		 last_handshake_sent;
	int			 have_handshake_sent;
	int			 sent_lastminute;
	int			 need_another_keepalive;
	uint64_t		 persistent_ms;
	size_t			 pad_mtu;	/* path's bound; 0: config */

	/* timers: absolute deadlines in ms, NEVER when off */
	uint64_t		 t_retransmit;
	uint64_t		 t_keepalive;
	uint64_t		 t_new_handshake;
	uint64_t		 t_zero;
	uint64_t		 t_persistent;

	uint64_t		 rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t		 last_handshake, handshakes;
};

#define TUNNEL_OF_REMOTE(r) \
	((struct tunnel *)(void *)((char *)(r) - offsetof(struct tunnel, remote)))


/* tunnel-index.c: the receiver-index table and the keypairs */
struct index_entry *index_find(const struct tunnel_local *, uint32_t idx);
int	index_insert(struct tunnel_local *, struct tunnel *,
	    struct tunnel_keypair *, uint32_t *out);
void	index_remove(struct tunnel_local *, uint32_t idx);
void	keypair_drop(struct tunnel *, struct tunnel_keypair *);
struct tunnel_keypair *keypair_add(struct tunnel *, struct index_entry *,
	    struct noise_keypair *, uint64_t now);
void	keypairs_clear(struct tunnel *);
void	handshake_clear(struct tunnel *);
int	keypair_usable(const struct tunnel_config *,
	    const struct tunnel_keypair *, uint64_t now);

/* tunnel-timers.c: timer events (WireGuard's wg_timers_*) */
uint64_t handshake_jitter(const struct tunnel_config *);
uint64_t retransmit_after(const struct tunnel_config *, uint32_t attempts);
void	ev_any_sent(struct tunnel *, uint64_t now);
void	ev_any_received(struct tunnel *, uint64_t now);
void	ev_data_sent(struct tunnel *, uint64_t now);
void	ev_data_received(struct tunnel *, uint64_t now);
void	ev_session_derived(struct tunnel *, uint64_t now);
void	ev_handshake_complete(struct tunnel *, uint64_t now);
unsigned want_handshake(struct tunnel *, uint64_t now);
unsigned keep_fresh(struct tunnel *, uint64_t now);

/* tunnel-data.c: the transport */
enum tunnel_err rx_open(struct tunnel_local *, uint8_t *buf,
	    const struct wire_msg *, uint64_t now, struct tunnel_rxslot *);
enum tunnel_err rx_data(struct tunnel_local *, uint8_t *buf,
	    const struct wire_msg *, uint64_t now, struct tunnel_rx *);

#endif
