/* What the natpath unit tests share: the action queue drained into
 * counts (and test-ep.h's endpoints). */
#ifndef MESH_NATPATH_HARNESS_H
#define MESH_NATPATH_HARNESS_H

#include <string.h>

#include "nat/natpath.h"
#include "test-ep.h"

/* The queue drained: actions counted by type, the first 16 probes and
 * the last punch's reply flag and switch kept. */
struct drained {
	unsigned		nprobe, npunch, nswitch, reply;
	struct natpath_action	probes[16];
	struct natpath_action	last_switch;
};

static inline void
drain(struct natpath *p, struct drained *d)
{
	struct natpath_action	a;

	memset(d, 0, sizeof(*d));
	while (natpath_next_action(p, &a)) {
		switch (a.type) {
		case NATPATH_ACT_PROBE:
			if (d->nprobe < 16)
				d->probes[d->nprobe] = a;
			d->nprobe++;
			break;
		case NATPATH_ACT_PUNCH:
			d->npunch++;
			d->reply = a.reply;
			break;
		case NATPATH_ACT_SWITCH:
			d->nswitch++;
			d->last_switch = a;
			break;
		}
	}
}

/* The nonce of the last probe to e in d, or NULL. */
static inline const uint8_t *
probed(const struct drained *d, const struct sockaddr_in6 *e)
{
	unsigned	i;

	for (i = d->nprobe < 16 ? d->nprobe : 16; i-- > 0;)
		if (natep_eq(&d->probes[i].ep, e))
			return d->probes[i].nonce;
	return NULL;
}

#endif
