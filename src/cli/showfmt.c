/* mesh show's three output formats, from a decoded control reply. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "control/ctlproto.h"
#include "cli/showfmt.h"
#include "common/util.h"

#define C_RESET		"\033[0m"
#define C_BOLD		"\033[1m"
#define C_GREEN		"\033[1;32m"
#define C_YELLOW	"\033[1;33m"
#define C_RED		"\033[1;31m"
#define C_CYAN		"\033[36m"

int
showfmt_parse_what(const char *s)
{
	if (strcmp(s, "peers") == 0)
		return SHOWFMT_PEERS;
	if (strcmp(s, "dht") == 0)
		return SHOWFMT_DHT;
	if (strcmp(s, "all") == 0)
		return SHOWFMT_PEERS | SHOWFMT_DHT;
	return -1;
}

void
showfmt_begin(struct showfmt *sf, FILE *f, enum showfmt_mode mode,
    unsigned what, int colour)
{
	memset(sf, 0, sizeof(*sf));
	sf->f = f;
	sf->mode = mode;
	sf->what = what;
	sf->colour = colour && mode == SHOWFMT_PRETTY;
	if (mode == SHOWFMT_JSON)
		fprintf(f, "{\"version\": %d, \"interfaces\": [", CTL_VERSION);
}

void
showfmt_end(struct showfmt *sf)
{
	if (sf->mode == SHOWFMT_JSON)
		fprintf(sf->f, "%s]}\n", sf->count > 0 ? "\n" : "");
}

/* --- units --- */

void
showfmt_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double	v = (double)n;
	size_t	u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", n);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.2f %s", v, units[u]);
}

void
showfmt_duration(char *buf, size_t len, uint64_t secs)
{
	static const struct {
		uint64_t	 s;
		const char	*name;
	} units[] = {
		{ 365 * 86400, "year" }, { 86400, "day" }, { 3600, "hour" },
		{ 60, "minute" }, { 1, "second" },
	};
	size_t	i, off = 0;
	int	n;

	if (secs == 0) {
		snprintf(buf, len, "0 seconds");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(units) && off < len; i++) {
		uint64_t q = secs / units[i].s;

		if (q == 0)
			continue;
		secs %= units[i].s;
		n = snprintf(buf + off, len - off, "%s%" PRIu64 " %s%s",
		    off > 0 ? ", " : "", q, units[i].name, q == 1 ? "" : "s");
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* "<duration> ago", against the reply's now. */
static void
ago(char *buf, size_t len, uint64_t now, uint64_t t)
{
	char	d[96];

	if (t == 0) {
		snprintf(buf, len, "never");
		return;
	}
	if (now == 0 || t > now) {
		snprintf(buf, len, "at %" PRIu64, t);
		return;
	}
	if (t == now) {
		snprintf(buf, len, "now");
		return;
	}
	showfmt_duration(d, sizeof(d), now - t);
	snprintf(buf, len, "%s ago", d);
}

static const char *
peer_name_by_key(const struct ctl_reply *r, const char *key)
{
	size_t	i;

	for (i = 0; i < r->npeers; i++)
		if (strcmp(r->peers[i].key, key) == 0 &&
		    r->peers[i].name[0] != '\0')
			return r->peers[i].name;
	return key;
}

/* --- pretty --- */

static const char *
col(const struct showfmt *sf, const char *c)
{
	return sf->colour ? c : "";
}

static const char *
path_colour(const char *path)
{
	if (strcmp(path, "direct") == 0 || strcmp(path, "lan") == 0 ||
	    strcmp(path, "mapped") == 0 || strcmp(path, "punched") == 0)
		return C_GREEN;
	if (strcmp(path, "relayed") == 0)
		return C_YELLOW;
	return C_RED;
}

/* "  label: " with the label in bold. */
static void
label(const struct showfmt *sf, const char *l)
{
	fprintf(sf->f, "  %s%s%s: ", col(sf, C_BOLD), l, col(sf, C_RESET));
}

static void
pretty_drops(const struct showfmt *sf, const struct ctl_counter *c,
    size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	label(sf, "dropped");
	for (i = 0; i < n; i++)
		fprintf(sf->f, "%s%" PRIu64 " %s", i > 0 ? ", " : "",
		    c[i].value, c[i].name);
	fputc('\n', sf->f);
}

static void
pretty_iface(const struct showfmt *sf, const struct ctl_reply *r)
{
	const struct ctl_iface *ifc = &r->iface;
	char	b1[32], b2[32], t[128];

	fprintf(sf->f, "%sinterface%s: %s%s%s\n", col(sf, C_GREEN),
	    col(sf, C_RESET), col(sf, C_GREEN), ifc->ifname,
	    col(sf, C_RESET));
	/* A headless node (no member: no addresses) has a control socket
	 * by that name but no network interface. */
	if (ifc->addr4[0] == '\0' && ifc->addr6[0] == '\0') {
		label(sf, "headless");
		fprintf(sf->f, "no network interface, not a member (DHT, "
		    "rendezvous and relay only)\n");
	}
	if (ifc->network[0] != '\0') {
		label(sf, "network");
		fprintf(sf->f, "%s (namespace %s, workbit %" PRIu64 ")\n",
		    ifc->network, ifc->ns[0] != '\0' ? ifc->ns : "?",
		    ifc->workbit);
	}
	if (ifc->netconfig[0] != '\0') {
		label(sf, "netconfig");
		fprintf(sf->f, "%s\n", ifc->netconfig);
	}
	if (ifc->key[0] != '\0') {
		label(sf, "public key");
		fprintf(sf->f, "%s\n", ifc->key);
	}
	if (ifc->addr4[0] != '\0' || ifc->addr6[0] != '\0') {
		label(sf, "addresses");
		fprintf(sf->f, "%s%s%s\n", ifc->addr4,
		    ifc->addr4[0] != '\0' && ifc->addr6[0] != '\0' ? ", " : "",
		    ifc->addr6);
	}
	label(sf, "listening port");
	fprintf(sf->f, "%" PRIu64 "\n", ifc->listen_port);
	label(sf, "endpoint");
	fprintf(sf->f, "%s (NAT: %s)\n", ifc->reflexive[0] != '\0' ?
	    ifc->reflexive : "unknown", ifc->nat[0] != '\0' ? ifc->nat :
	    "unknown");
	if (ifc->portmap[0] != '\0') {
		label(sf, "port mapping");
		fprintf(sf->f, "%s", ifc->portmap);
		if (ifc->portmap_external[0] != '\0')
			fprintf(sf->f, " %s", ifc->portmap_external);
		if (ifc->portmap_expires != 0 && ifc->now != 0) {
			if (ifc->portmap_expires > ifc->now) {
				showfmt_duration(t, sizeof(t),
				    ifc->portmap_expires - ifc->now);
				fprintf(sf->f, ", lease expires in %s", t);
			} else
				fprintf(sf->f, ", lease expired");
		}
		fputc('\n', sf->f);
	}
	showfmt_bytes(b1, sizeof(b1), ifc->rx_bytes);
	showfmt_bytes(b2, sizeof(b2), ifc->tx_bytes);
	label(sf, "transfer");
	fprintf(sf->f, "%s received, %s sent\n", b1, b2);
	if (ifc->transport[0] != '\0') {
		label(sf, "transport");
		fprintf(sf->f, "%s%s%s", col(sf, strcmp(ifc->transport,
		    "tcp") == 0 ? C_YELLOW : C_RESET), ifc->transport,
		    col(sf, C_RESET));
		if (ifc->transport_why[0] != '\0')
			fprintf(sf->f, " (%s)", ifc->transport_why);
		if (ifc->tcp_out + ifc->tcp_in > 0)
			fprintf(sf->f, "; TCP connections: %" PRIu64 " to boot "
			    "nodes, %" PRIu64 " from others", ifc->tcp_out,
			    ifc->tcp_in);
		fputc('\n', sf->f);
	}
	pretty_drops(sf, ifc->drops, ifc->ndrops);
	if (ifc->reload_time != 0) {
		ago(t, sizeof(t), ifc->now, ifc->reload_time);
		label(sf, "last reload");
		fprintf(sf->f, "%s%s%s%s: ", t, strcmp(ifc->reload_via,
		    "signal") == 0 ? " (SIGHUP)" : "", strcmp(ifc->reload_via,
		    "command") == 0 ? " (mesh reload)" : "",
		    strcmp(ifc->reload_via, "network") == 0 ?
		    " (a version from a member)" : "");
		if (strcmp(ifc->reload_result, "ok") == 0)
			fprintf(sf->f, "ok, %" PRIu64 " added, %" PRIu64
			    " removed, %" PRIu64 " changed\n",
			    ifc->reload_added, ifc->reload_removed,
			    ifc->reload_changed);
		else
			fprintf(sf->f, "%s%s%s%s%s\n", col(sf, C_RED),
			    ifc->reload_result[0] != '\0' ?
			    ifc->reload_result : "?", col(sf, C_RESET),
			    ifc->reload_error[0] != '\0' ? ": " : "",
			    ifc->reload_error);
	}
	ago(t, sizeof(t), ifc->now, ifc->nc_since);
	showfmt_nc_pretty(sf->f, col(sf, C_BOLD), col(sf, C_RED),
	    col(sf, C_RESET), t, ifc);
	if (ifc->pid != 0) {
		label(sf, "daemon");
		fprintf(sf->f, "pid %" PRIu64 ", uid %" PRIu64, ifc->pid,
		    ifc->uid);
		if (ifc->started != 0 && ifc->now >= ifc->started) {
			showfmt_duration(t, sizeof(t),
			    ifc->now - ifc->started);
			fprintf(sf->f, ", up %s", t);
		}
		fputc('\n', sf->f);
	}
}

/* The path, and whether it is still heard: "direct (why)", or "direct,
 * silent for 47 s (probing)", or "lost since 12:00:05, looking it up in
 * the DHT" (the time of day is local: TZ; the golden tests set it). */
static void
pretty_path(const struct showfmt *sf, const struct ctl_reply *r,
    const struct ctl_peer *p)
{
	const char	*kind = p->path[0] != '\0' ? p->path : "unknown";
	char		 d[96], hms[16];
	struct tm	 tm;
	time_t		 t = (time_t)p->last_seen;

	if (p->lost && p->last_seen != 0 && localtime_r(&t, &tm) != NULL &&
	    strftime(hms, sizeof(hms), "%H:%M:%S", &tm) > 0) {
		fprintf(sf->f, "%slost since %s%s", col(sf, C_RED), hms,
		    col(sf, C_RESET));
		if (p->trying[0] != '\0')
			fprintf(sf->f, ", %s", p->trying);
		fputc('\n', sf->f);
		return;
	}
	fprintf(sf->f, "%s%s%s", col(sf, p->silent_since != 0 ? C_YELLOW :
	    path_colour(p->path)), kind, col(sf, C_RESET));
	if (p->via[0] != '\0')
		fprintf(sf->f, " via %s", peer_name_by_key(r, p->via));
	if (p->silent_since != 0 && r->iface.now >= p->silent_since) {
		showfmt_duration(d, sizeof(d), r->iface.now - p->last_seen);
		fprintf(sf->f, ", silent for %s", d);
		if (p->trying[0] != '\0')
			fprintf(sf->f, " (%s)", p->trying);
	} else if (p->why[0] != '\0')
		fprintf(sf->f, " (%s)", p->why);
	fputc('\n', sf->f);
}

static void
pretty_peer(const struct showfmt *sf, const struct ctl_reply *r,
    const struct ctl_peer *p)
{
	char	b1[32], b2[32], t[128];

	fprintf(sf->f, "\n%speer%s: %s%s%s", col(sf, C_YELLOW),
	    col(sf, C_RESET), col(sf, C_YELLOW), p->key, col(sf, C_RESET));
	if (p->name[0] != '\0')
		fprintf(sf->f, " (%s)", p->name);
	fputc('\n', sf->f);
	if (p->addr4[0] != '\0' || p->addr6[0] != '\0') {
		label(sf, "addresses");
		fprintf(sf->f, "%s%s%s\n", p->addr4,
		    p->addr4[0] != '\0' && p->addr6[0] != '\0' ? ", " : "",
		    p->addr6);
	}
	label(sf, "path");
	pretty_path(sf, r, p);
	if (p->endpoint[0] != '\0') {
		label(sf, "endpoint");
		fprintf(sf->f, "%s\n", p->endpoint);
	}
	if (p->last_seen != 0) {
		label(sf, "last seen");
		ago(t, sizeof(t), r->iface.now, p->last_seen);
		fprintf(sf->f, "%s\n", t);
	}
	label(sf, "latest handshake");
	ago(t, sizeof(t), r->iface.now, p->last_handshake);
	fprintf(sf->f, "%s\n", t);
	if (p->rtt_us != 0) {
		label(sf, "rtt");
		fprintf(sf->f, "%" PRIu64 ".%03" PRIu64 " ms\n",
		    p->rtt_us / 1000, p->rtt_us % 1000);
	}
	/* NAT traversal: how long finding the path took */
	if (p->connect_ms != 0) {
		label(sf, "connected in");
		fprintf(sf->f, "%" PRIu64 " ms\n", p->connect_ms);
	}
	if (p->recovery[0] != '\0') {
		label(sf, "last recovery");
		ago(t, sizeof(t), r->iface.now, p->recovery_lost);
		fprintf(sf->f, "%s %s, found again after %" PRIu64 ".%" PRIu64
		    " s via %s\n", p->recovery, t, p->recovery_gap_ms / 1000,
		    p->recovery_gap_ms % 1000 / 100, p->recovery_via[0] != '\0' ?
		    p->recovery_via : "?");
	}
	if (p->mtu != 0) {
		label(sf, "path mtu");
		fprintf(sf->f, "%" PRIu64 " (%s), inner %" PRIu64 "\n",
		    p->mtu, p->mtu_source[0] != '\0' ? p->mtu_source : "?",
		    p->mtu_inner);
	}
	/* hard-NAT traversal: what was tried, within what budget */
	if (p->tried[0] != '\0') {
		label(sf, "tried");
		fprintf(sf->f, "%s probing, %" PRIu64 " of %" PRIu64 " probes "
		    "at %" PRIu64 "/s: %s %s %" PRIu64 " ms\n", p->tried,
		    p->tried_probes, p->tried_budget, p->tried_pps,
		    p->tried_result, strcmp(p->tried_result, "running") == 0 ?
		    "for" : "after", p->tried_ms);
	}
	showfmt_bytes(b1, sizeof(b1), p->rx_bytes);
	showfmt_bytes(b2, sizeof(b2), p->tx_bytes);
	label(sf, "transfer");
	fprintf(sf->f, "%s received, %s sent\n", b1, b2);
	pretty_drops(sf, p->drops, p->ndrops);
}

static void
pretty_dht(const struct showfmt *sf, const struct ctl_reply *r)
{
	const struct ctl_dht *d = &r->dht;
	char	t[128];
	size_t	i;

	fprintf(sf->f, "\n%sdht%s: %s\n", col(sf, C_CYAN), col(sf, C_RESET),
	    d->id);
	label(sf, "routing table");
	fprintf(sf->f, "%" PRIu64 " nodes (%" PRIu64 " good), %" PRIu64
	    " replacements, %zu buckets\n", d->nodes, d->good,
	    d->replacements, d->nbuckets);
	label(sf, "packets");
	fprintf(sf->f, "%" PRIu64 " received, %" PRIu64 " sent\n",
	    d->rx_packets, d->tx_packets);
	pretty_drops(sf, d->drops, d->ndrops);
	if (d->nbuckets > 0)
		fprintf(sf->f, "  %sbuckets%s:\n    depth  nodes   good   "
		    "repl  last active\n", col(sf, C_BOLD), col(sf, C_RESET));
	for (i = 0; i < d->nbuckets; i++) {
		const struct ctl_bucket *b = &d->buckets[i];

		ago(t, sizeof(t), r->iface.now, b->last_active);
		fprintf(sf->f, "    %5" PRIu64 " %6" PRIu64 " %6" PRIu64
		    " %6" PRIu64 "  %s\n", b->depth, b->nodes, b->good,
		    b->replacements, t);
	}
	if (d->nsearches > 0)
		fprintf(sf->f, "  %ssearches%s:\n", col(sf, C_BOLD),
		    col(sf, C_RESET));
	for (i = 0; i < d->nsearches; i++) {
		const struct ctl_search *s = &d->searches[i];

		ago(t, sizeof(t), r->iface.now, s->started);
		fprintf(sf->f, "    %s", s->target);
		if (peer_name_by_key(r, s->target) != s->target)
			fprintf(sf->f, " (%s)", peer_name_by_key(r,
			    s->target));
		fprintf(sf->f, " %s, %s, started %s, %" PRIu64
		    " in flight, %" PRIu64 " responded, %" PRIu64 " found\n",
		    s->kind[0] != '\0' ? s->kind : "search",
		    s->state[0] != '\0' ? s->state : "?", t, s->inflight,
		    s->responded, s->found);
	}
}

static void
pretty(struct showfmt *sf, const struct ctl_reply *r)
{
	size_t	i;

	if (sf->count > 0)
		fputc('\n', sf->f);
	pretty_iface(sf, r);
	if (sf->what & SHOWFMT_PEERS)
		for (i = 0; i < r->npeers; i++)
			pretty_peer(sf, r, &r->peers[i]);
	if ((sf->what & SHOWFMT_DHT) && r->dht.present)
		pretty_dht(sf, r);
	if ((sf->what & SHOWFMT_DHT) && !r->dht.present)
		fprintf(sf->f, "\n%sdht%s: not running\n", col(sf, C_CYAN),
		    col(sf, C_RESET));
}

/* --- JSON --- */

/* Values are printable ASCII (the decoder checked); escape the two
 * characters JSON needs escaped. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* "name": "value" or "name": null for an absent string. */
static void
json_kstr(FILE *f, const char *ind, const char *k, const char *v, int last)
{
	fprintf(f, "%s\"%s\": ", ind, k);
	if (v[0] == '\0')
		fputs("null", f);
	else
		json_str(f, v);
	fputs(last ? "\n" : ",\n", f);
}

static void
json_knum(FILE *f, const char *ind, const char *k, uint64_t v, int last)
{
	fprintf(f, "%s\"%s\": %" PRIu64 "%s", ind, k, v, last ? "\n" : ",\n");
}

/* A time: null when 0 (never). */
static void
json_ktime(FILE *f, const char *ind, const char *k, uint64_t v, int last)
{
	if (v == 0)
		fprintf(f, "%s\"%s\": null%s", ind, k, last ? "\n" : ",\n");
	else
		json_knum(f, ind, k, v, last);
}

static void
json_drops(FILE *f, const char *ind, const struct ctl_counter *c, size_t n,
    int last)
{
	size_t	i;

	fprintf(f, "%s\"drops\": {", ind);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i > 0 ? ", " : "",
		    c[i].name, c[i].value);
	fprintf(f, "}%s", last ? "\n" : ",\n");
}

static void
json_peer(FILE *f, const struct ctl_reply *r, const struct ctl_peer *p,
    int last)
{
	const char	*in = "        ";

	fprintf(f, "      {\n");
	json_kstr(f, in, "public_key", p->key, 0);
	json_kstr(f, in, "name", p->name, 0);
	json_kstr(f, in, "address4", p->addr4, 0);
	json_kstr(f, in, "address6", p->addr6, 0);
	json_kstr(f, in, "path", p->path[0] != '\0' ? p->path : "unknown", 0);
	json_kstr(f, in, "via", p->via, 0);
	json_kstr(f, in, "via_name", p->via[0] != '\0' &&
	    peer_name_by_key(r, p->via) != p->via ?
	    peer_name_by_key(r, p->via) : "", 0);
	json_kstr(f, in, "why", p->why, 0);
	json_kstr(f, in, "endpoint", p->endpoint, 0);
	json_ktime(f, in, "last_handshake", p->last_handshake, 0);
	if (p->rtt_us == 0)
		fprintf(f, "%s\"rtt_us\": null,\n", in);
	else
		json_knum(f, in, "rtt_us", p->rtt_us, 0);
	json_knum(f, in, "rx_bytes", p->rx_bytes, 0);
	json_knum(f, in, "tx_bytes", p->tx_bytes, 0);
	/* NAT traversal: how long finding the path took */
	if (p->connect_ms == 0)
		fprintf(f, "%s\"connect_ms\": null,\n", in);
	else
		json_knum(f, in, "connect_ms", p->connect_ms, 0);
	json_ktime(f, in, "last_seen", p->last_seen, 0);
	json_ktime(f, in, "silent_since", p->silent_since, 0);
	fprintf(f, "%s\"lost\": %s,\n", in, p->lost ? "true" : "false");
	json_kstr(f, in, "trying", p->trying, 0);
	/* path MTU: null until measured */
	if (p->mtu == 0)
		fprintf(f, "%s\"mtu\": null,\n%s\"mtu_inner\": null,\n", in,
		    in);
	else {
		json_knum(f, in, "mtu", p->mtu, 0);
		json_knum(f, in, "mtu_inner", p->mtu_inner, 0);
	}
	json_kstr(f, in, "mtu_source", p->mtu_source, 0);
	/* hard-NAT traversal: null until tried */
	json_kstr(f, in, "tried", p->tried, 0);
	if (p->tried[0] == '\0')
		fprintf(f, "%s\"tried_probes\": null,\n%s\"tried_budget\": "
		    "null,\n%s\"tried_pps\": null,\n%s\"tried_result\": "
		    "null,\n%s\"tried_ms\": null,\n", in, in, in, in, in);
	else {
		json_knum(f, in, "tried_probes", p->tried_probes, 0);
		json_knum(f, in, "tried_budget", p->tried_budget, 0);
		json_knum(f, in, "tried_pps", p->tried_pps, 0);
		json_kstr(f, in, "tried_result", p->tried_result, 0);
		json_knum(f, in, "tried_ms", p->tried_ms, 0);
	}
	/* the last recovery: null until there was one */
	json_kstr(f, in, "recovery", p->recovery, 0);
	json_kstr(f, in, "recovery_via", p->recovery_via, 0);
	json_ktime(f, in, "recovery_lost", p->recovery_lost, 0);
	if (p->recovery[0] == '\0')
		fprintf(f, "%s\"recovery_gap_ms\": null,\n", in);
	else
		json_knum(f, in, "recovery_gap_ms", p->recovery_gap_ms, 0);
	json_drops(f, in, p->drops, p->ndrops, 1);
	fprintf(f, "      }%s\n", last ? "" : ",");
}

static void
json_dht(FILE *f, const struct ctl_dht *d)
{
	const char	*in = "      ", *in2 = "          ";
	size_t		 i;

	fprintf(f, "    \"dht\": {\n");
	json_kstr(f, in, "id", d->id, 0);
	json_knum(f, in, "nodes", d->nodes, 0);
	json_knum(f, in, "good", d->good, 0);
	json_knum(f, in, "replacements", d->replacements, 0);
	json_knum(f, in, "rx_packets", d->rx_packets, 0);
	json_knum(f, in, "tx_packets", d->tx_packets, 0);
	json_drops(f, in, d->drops, d->ndrops, 0);
	fprintf(f, "%s\"buckets\": [%s", in, d->nbuckets > 0 ? "\n" : "");
	for (i = 0; i < d->nbuckets; i++) {
		const struct ctl_bucket *b = &d->buckets[i];

		fprintf(f, "        {\n");
		json_knum(f, in2, "depth", b->depth, 0);
		json_knum(f, in2, "nodes", b->nodes, 0);
		json_knum(f, in2, "good", b->good, 0);
		json_knum(f, in2, "replacements", b->replacements, 0);
		json_ktime(f, in2, "last_active", b->last_active, 1);
		fprintf(f, "        }%s\n", i + 1 < d->nbuckets ? "," : "");
	}
	fprintf(f, "%s],\n", d->nbuckets > 0 ? in : "");
	fprintf(f, "%s\"searches\": [%s", in, d->nsearches > 0 ? "\n" : "");
	for (i = 0; i < d->nsearches; i++) {
		const struct ctl_search *s = &d->searches[i];

		fprintf(f, "        {\n");
		json_kstr(f, in2, "target", s->target, 0);
		json_kstr(f, in2, "kind", s->kind, 0);
		json_kstr(f, in2, "state", s->state, 0);
		json_ktime(f, in2, "started", s->started, 0);
		json_knum(f, in2, "inflight", s->inflight, 0);
		json_knum(f, in2, "responded", s->responded, 0);
		json_knum(f, in2, "found", s->found, 1);
		fprintf(f, "        }%s\n", i + 1 < d->nsearches ? "," : "");
	}
	fprintf(f, "%s]\n    },\n", d->nsearches > 0 ? in : "");
}

static void
json(struct showfmt *sf, const struct ctl_reply *r)
{
	const struct ctl_iface *ifc = &r->iface;
	FILE		*f = sf->f;
	const char	*in = "    ";
	size_t		 i;

	fprintf(f, "%s\n  {\n", sf->count > 0 ? "," : "");
	json_kstr(f, in, "interface", ifc->ifname, 0);
	json_kstr(f, in, "network", ifc->network, 0);
	json_kstr(f, in, "namespace", ifc->ns, 0);
	json_kstr(f, in, "netconfig", ifc->netconfig, 0);
	json_kstr(f, in, "public_key", ifc->key, 0);
	json_knum(f, in, "workbit", ifc->workbit, 0);
	json_kstr(f, in, "address4", ifc->addr4, 0);
	json_kstr(f, in, "address6", ifc->addr6, 0);
	json_knum(f, in, "listen_port", ifc->listen_port, 0);
	json_kstr(f, in, "reflexive_endpoint", ifc->reflexive, 0);
	json_kstr(f, in, "nat", ifc->nat[0] != '\0' ? ifc->nat : "unknown",
	    0);
	fprintf(f, "%s\"port_mapping\": {\n", in);
	json_kstr(f, "      ", "state", ifc->portmap[0] != '\0' ?
	    ifc->portmap : "off", 0);
	json_kstr(f, "      ", "external", ifc->portmap_external, 0);
	json_ktime(f, "      ", "expires", ifc->portmap_expires, 1);
	fprintf(f, "%s},\n", in);
	json_knum(f, in, "pid", ifc->pid, 0);
	json_knum(f, in, "uid", ifc->uid, 0);
	json_ktime(f, in, "started", ifc->started, 0);
	json_ktime(f, in, "now", ifc->now, 0);
	json_knum(f, in, "rx_bytes", ifc->rx_bytes, 0);
	json_knum(f, in, "tx_bytes", ifc->tx_bytes, 0);
	json_drops(f, in, ifc->drops, ifc->ndrops, 0);
	if (ifc->reload_time != 0) {
		fprintf(f, "%s\"last_reload\": {\n", in);
		json_ktime(f, "      ", "time", ifc->reload_time, 0);
		json_kstr(f, "      ", "via", ifc->reload_via, 0);
		json_kstr(f, "      ", "result", ifc->reload_result, 0);
		json_knum(f, "      ", "added", ifc->reload_added, 0);
		json_knum(f, "      ", "removed", ifc->reload_removed, 0);
		json_knum(f, "      ", "changed", ifc->reload_changed, 0);
		json_kstr(f, "      ", "error", ifc->reload_error, 1);
		fprintf(f, "%s},\n", in);
	} else
		fprintf(f, "%s\"last_reload\": null,\n", in);
	if (ifc->transport[0] != '\0') {
		fprintf(f, "%s\"transport\": {\n", in);
		json_kstr(f, "      ", "mode", ifc->transport, 0);
		json_kstr(f, "      ", "why", ifc->transport_why, 0);
		json_ktime(f, "      ", "since", ifc->transport_since, 0);
		json_knum(f, "      ", "tcp_out", ifc->tcp_out, 0);
		json_knum(f, "      ", "tcp_in", ifc->tcp_in, 1);
		fprintf(f, "%s},\n", in);
	} else
		fprintf(f, "%s\"transport\": null,\n", in);
	showfmt_nc_json(f, in, ifc);
	if ((sf->what & SHOWFMT_DHT) && r->dht.present)
		json_dht(f, &r->dht);
	else
		fprintf(f, "%s\"dht\": null,\n", in);
	if (sf->what & SHOWFMT_PEERS) {
		fprintf(f, "%s\"peers\": [%s", in, r->npeers > 0 ? "\n" : "");
		for (i = 0; i < r->npeers; i++)
			json_peer(f, r, &r->peers[i], i + 1 == r->npeers);
		fprintf(f, "%s]\n", r->npeers > 0 ? in : "");
	} else
		fprintf(f, "%s\"peers\": null\n", in);
	fprintf(f, "  }");
}

void
showfmt_iface(struct showfmt *sf, const struct ctl_reply *r)
{
	switch (sf->mode) {
	case SHOWFMT_PRETTY:
		pretty(sf, r);
		break;
	case SHOWFMT_JSON:
		json(sf, r);
		break;
	case SHOWFMT_DUMP:
		showfmt_dump(sf, r);
		break;
	}
	sf->count++;
}
