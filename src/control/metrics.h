/* Prometheus metrics from a `mesh show` reply: the text exposition format
 * (version 0.0.4) of what the control protocol reports, so that the
 * metrics endpoint and `mesh show` can never disagree. Pure: no I/O.
 *
 * Metric families (all gauges or counters named mesh_*; peers are
 * labelled with their key and hostname):
 *	mesh_info{interface,network,key,nat,portmap}	1
 *	mesh_start_time_seconds, mesh_udp_{rx,tx}_bytes_total,
 *	mesh_drops_total{reason}			the interface's drops
 *	mesh_relayed_{rx,tx}_datagrams_total (ours, through relays),
 *	mesh_relay_forwarded_{datagrams,bytes}_total (relayed for others),
 *	mesh_peer_{rx,tx}_{bytes,packets}_total, mesh_peer_drops_total{reason},
 *	mesh_peer_path{path} (1 for the current kind), mesh_peer_rtt_seconds,
 *	mesh_peer_last_handshake_seconds (Unix time, 0 = never),
 *	mesh_peer_connect_seconds (first use to first path)
 *	mesh_dht_nodes, mesh_dht_good_nodes, mesh_dht_replacement_nodes,
 *	mesh_dht_{rx,tx}_packets_total, mesh_dht_drops_total{reason},
 *	mesh_dht_searches */
#ifndef MESH_METRICS_H
#define MESH_METRICS_H

#include <stddef.h>

#include "control/ctlproto.h"

/* The exposition of r, NUL-terminated and malloc'ed (*len bytes without
 * the NUL); NULL when out of memory. */
char	*metrics_format(const struct ctl_reply *r, size_t *len);

#endif
