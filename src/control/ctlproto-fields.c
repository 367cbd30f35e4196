/* The control protocol's field tables, one per record kind (ctlproto-int.h):
 * the decoder (ctlproto.c) and the encoder (ctlproto-writer.c) both work
 * from them, so that both ends agree by construction. Constant data only. */
#include "config.h"

#include <stddef.h>
#include <sys/types.h>

#include "control/ctlproto.h"
#include "control/ctlproto-int.h"
#include "common/util.h"

#define S(st, f, t)	{ #f, t, offsetof(struct st, f), \
			    sizeof(((struct st *)0)->f) }
#define SN(n, st, f, t)	{ n, t, offsetof(struct st, f), \
			    sizeof(((struct st *)0)->f) }

/* The first field of each table starts the record. */
static const struct ctl_field iface_fields[] = {
	SN("interface", ctl_iface, ifname, F_TOKEN),
	S(ctl_iface, network, F_TOKEN),
	SN("namespace", ctl_iface, ns, F_TOKEN),
	S(ctl_iface, netconfig, F_TEXT),
	SN("public_key", ctl_iface, key, F_KEY),
	S(ctl_iface, workbit, F_U64),
	SN("address4", ctl_iface, addr4, F_ADDR4),
	SN("address6", ctl_iface, addr6, F_ADDR6),
	S(ctl_iface, listen_port, F_PORT),
	S(ctl_iface, reflexive, F_ENDPOINT),
	S(ctl_iface, nat, F_TOKEN),
	S(ctl_iface, portmap, F_TOKEN),
	S(ctl_iface, portmap_external, F_ENDPOINT),
	S(ctl_iface, portmap_expires, F_U64),
	S(ctl_iface, pid, F_U64),
	S(ctl_iface, uid, F_U64),
	S(ctl_iface, started, F_U64),
	S(ctl_iface, now, F_U64),
	S(ctl_iface, rx_bytes, F_U64),
	S(ctl_iface, tx_bytes, F_U64),
	S(ctl_iface, relayed_in, F_U64),
	S(ctl_iface, relayed_out, F_U64),
	S(ctl_iface, relay_forwarded, F_U64),
	S(ctl_iface, relay_forwarded_bytes, F_U64),
	S(ctl_iface, reload_time, F_U64),
	S(ctl_iface, reload_via, F_TOKEN),
	S(ctl_iface, reload_result, F_TOKEN),
	S(ctl_iface, reload_added, F_U64),
	S(ctl_iface, reload_removed, F_U64),
	S(ctl_iface, reload_changed, F_U64),
	S(ctl_iface, reload_error, F_TEXT),
	S(ctl_iface, transport, F_TOKEN),
	S(ctl_iface, transport_why, F_TEXT),
	S(ctl_iface, transport_since, F_U64),
	S(ctl_iface, tcp_out, F_U64),
	S(ctl_iface, tcp_in, F_U64),
	SN("netconfig_version", ctl_iface, nc_version, F_U64),
	SN("netconfig_hash", ctl_iface, nc_hash, F_TEXT),
	SN("netconfig_source", ctl_iface, nc_source, F_TEXT),
	SN("netconfig_since", ctl_iface, nc_since, F_U64),
	SN("netconfig_refused", ctl_iface, nc_refused, F_TEXT),
};

static const struct ctl_field peer_fields[] = {
	SN("peer", ctl_peer, key, F_KEY),
	S(ctl_peer, name, F_TOKEN),
	SN("address4", ctl_peer, addr4, F_ADDR4),
	SN("address6", ctl_peer, addr6, F_ADDR6),
	S(ctl_peer, path, F_TOKEN),
	S(ctl_peer, via, F_KEY),
	S(ctl_peer, why, F_TEXT),
	S(ctl_peer, endpoint, F_ENDPOINT),
	S(ctl_peer, last_handshake, F_U64),
	S(ctl_peer, rtt_us, F_U64),
	S(ctl_peer, rx_bytes, F_U64),
	S(ctl_peer, tx_bytes, F_U64),
	S(ctl_peer, rx_packets, F_U64),
	S(ctl_peer, tx_packets, F_U64),
	S(ctl_peer, connect_ms, F_U64),
	S(ctl_peer, last_seen, F_U64),
	S(ctl_peer, silent_since, F_U64),
	S(ctl_peer, lost, F_U64),
	S(ctl_peer, trying, F_TEXT),
	S(ctl_peer, mtu, F_U64), S(ctl_peer, mtu_inner, F_U64),
	S(ctl_peer, mtu_source, F_TOKEN),
	S(ctl_peer, tried, F_TOKEN),
	S(ctl_peer, tried_probes, F_U64),
	S(ctl_peer, tried_budget, F_U64),
	S(ctl_peer, tried_pps, F_U64),
	S(ctl_peer, tried_result, F_TOKEN),
	S(ctl_peer, tried_ms, F_U64),
	S(ctl_peer, recovery, F_TEXT), S(ctl_peer, recovery_via, F_TOKEN),
	S(ctl_peer, recovery_lost, F_U64), S(ctl_peer, recovery_gap_ms, F_U64),
};

static const struct ctl_field dht_fields[] = {
	SN("dht", ctl_dht, id, F_KEY),
	S(ctl_dht, nodes, F_U64),
	S(ctl_dht, good, F_U64),
	S(ctl_dht, replacements, F_U64),
	S(ctl_dht, rx_packets, F_U64),
	S(ctl_dht, tx_packets, F_U64),
};

static const struct ctl_field bucket_fields[] = {
	SN("bucket", ctl_bucket, depth, F_U64),
	S(ctl_bucket, nodes, F_U64),
	S(ctl_bucket, good, F_U64),
	S(ctl_bucket, replacements, F_U64),
	S(ctl_bucket, last_active, F_U64),
};

static const struct ctl_field search_fields[] = {
	SN("search", ctl_search, target, F_KEY),
	S(ctl_search, kind, F_TOKEN),
	S(ctl_search, state, F_TOKEN),
	S(ctl_search, started, F_U64),
	S(ctl_search, inflight, F_U64),
	S(ctl_search, responded, F_U64),
	S(ctl_search, found, F_U64),
};

static const struct ctl_field reload_fields[] = {
	SN("reload", ctl_reload, present, F_DONE),
	S(ctl_reload, added, F_U64),
	S(ctl_reload, removed, F_U64),
	S(ctl_reload, changed, F_U64),
	S(ctl_reload, unchanged, F_U64),
};

static const struct ctl_field lookup_fields[] = {
	SN("lookup", ctl_lookup, key, F_KEY),
	S(ctl_lookup, found, F_U64),
	S(ctl_lookup, rounds, F_U64),
	S(ctl_lookup, messages, F_U64),
	S(ctl_lookup, elapsed_ms, F_U64),
};

static const struct ctl_field lookup_ep_fields[] = {
	SN("lookup_endpoint", ctl_lookup_ep, endpoint, F_ENDPOINT),
	S(ctl_lookup_ep, reachable, F_U64),
};

static const struct ctl_field lookup_rv_fields[] = {
	SN("rendezvous", ctl_lookup_rv, key, F_KEY),
	S(ctl_lookup_rv, endpoint, F_ENDPOINT),
	S(ctl_lookup_rv, observed, F_ENDPOINT),
};

#define R(w, t, st)	{ w, t, ARRAY_SIZE(t), \
			    (ssize_t)offsetof(struct st, drops), \
			    (ssize_t)offsetof(struct st, ndrops) }
#define RN(w, t)	{ w, t, ARRAY_SIZE(t), -1, -1 }

const struct ctl_rectype ctl_rectypes[REC_COUNT] = {
	R("interface", iface_fields, ctl_iface),
	R("peer", peer_fields, ctl_peer),
	R("dht", dht_fields, ctl_dht),
	RN("bucket", bucket_fields),
	RN("search", search_fields),
	RN("reload", reload_fields),
	RN("lookup", lookup_fields),
	RN("lookup endpoint", lookup_ep_fields),
	RN("rendezvous", lookup_rv_fields),
};
