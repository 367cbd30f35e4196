/* The receiver-index table of a tunnel_local and the keypairs of a peer
 * that its entries name (see tunnel-int.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tunnel/tunnel-int.h"

/* ---- index table: open addressing, linear probing, backward-shift
 * deletion; sized for a load factor of at most 1/2. */

static size_t
index_home(const struct tunnel_local *l, uint32_t idx)
{
	return (size_t)(idx * 2654435761u) & l->index_mask;
}

struct index_entry *
index_find(const struct tunnel_local *l, uint32_t idx)
{
	size_t			 i = index_home(l, idx);
	struct index_entry	*e;

	for (;;) {
		e = &l->index[i];
		if (!e->used)
			return NULL;
		if (e->index == idx)
			return e;
		i = (i + 1) & l->index_mask;
	}
}

/* A fresh random index for peer t (kp as given); 0 on success. */
int
index_insert(struct tunnel_local *l, struct tunnel *t,
    struct tunnel_keypair *kp, uint32_t *out)
{
	uint32_t	idx;
	size_t		i;

	if (l->index_used >= (l->index_mask + 1) / 2)
		return -1;	/* cannot happen: sized for every peer */
	do
		idx = randombytes_random();
	while (index_find(l, idx) != NULL);
	for (i = index_home(l, idx); l->index[i].used;
	    i = (i + 1) & l->index_mask)
		;
	l->index[i].index = idx;
	l->index[i].used = 1;
	l->index[i].peer = t;
	l->index[i].kp = kp;
	l->index_used++;
	*out = idx;
	return 0;
}

void
index_remove(struct tunnel_local *l, uint32_t idx)
{
	struct index_entry	*e;
	size_t			 i, j, k;

	if ((e = index_find(l, idx)) == NULL)
		return;
	i = (size_t)(e - l->index);
	l->index[i].used = 0;
	l->index_used--;
	/* Pull later entries of the cluster back over the hole unless they
	 * already sit between their home and the hole. */
	for (j = (i + 1) & l->index_mask; l->index[j].used;
	    j = (j + 1) & l->index_mask) {
		k = index_home(l, l->index[j].index);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		l->index[i] = l->index[j];
		l->index[j].used = 0;
		i = j;
	}
}

/* ---- keypairs */

void
keypair_drop(struct tunnel *t, struct tunnel_keypair *kp)
{
	if (kp == NULL || !kp->in_use)
		return;
	index_remove(t->local, kp->k.local_index);
	sodium_memzero(kp, sizeof(*kp));
}

static struct tunnel_keypair *
keypair_new(struct tunnel *t, const struct noise_keypair *nk, uint64_t now)
{
	struct tunnel_keypair	*kp = NULL;
	size_t			 i;

	for (i = 0; i < NSLOTS; i++) {
		if (!t->slots[i].in_use) {
			kp = &t->slots[i];
			break;
		}
	}
	if (kp == NULL)
		return NULL;	/* cannot happen: at most 3 in use */
	memset(kp, 0, sizeof(*kp));
	kp->k = *nk;
	if (nk->cipher == WIRE_CIPHER_AES256GCM) {
		crypto_aead_aes256gcm_beforenm(&kp->aes_send, nk->send_key);
		crypto_aead_aes256gcm_beforenm(&kp->aes_recv, nk->recv_key);
	}
	replay_init(&kp->replay);
	kp->peer = t;
	kp->birth = now;
	kp->in_use = 1;
	return kp;
}

/* Put a new keypair in its place (WireGuard's add_new_keypair). */
static void
keypair_install(struct tunnel *t, struct tunnel_keypair *kp)
{
	struct tunnel_keypair	*old_prev = t->prev, *old_cur = t->cur;

	if (kp->k.initiator) {
		if (t->next != NULL) {
			/* the unconfirmed one was never used to send; it
			 * becomes prev, cur goes */
			t->prev = t->next;
			t->next = NULL;
			keypair_drop(t, old_cur);
		} else
			t->prev = old_cur;
		keypair_drop(t, old_prev);
		t->cur = kp;
	} else {
		keypair_drop(t, t->next);
		t->next = kp;
		keypair_drop(t, old_prev);
		t->prev = NULL;
	}
}

/* The keys of a completed handshake become a keypair named by index entry e
 * (the index the handshake used) and take their place among the peer's.
 * nk is wiped. NULL if no slot was free (cannot happen). */
struct tunnel_keypair *
keypair_add(struct tunnel *t, struct index_entry *e,
    struct noise_keypair *nk, uint64_t now)
{
	struct tunnel_keypair	*kp;

	kp = keypair_new(t, nk, now);
	noise_keypair_wipe(nk);
	if (kp == NULL)
		return NULL;
	/* before keypair_install: dropping the old keypairs may move e
	 * within the index table, and it must move with its keypair */
	e->kp = kp;
	keypair_install(t, kp);
	return kp;
}

void
keypairs_clear(struct tunnel *t)
{
	keypair_drop(t, t->prev);
	keypair_drop(t, t->cur);
	keypair_drop(t, t->next);
	t->prev = t->cur = t->next = NULL;
}

void
handshake_clear(struct tunnel *t)
{
	if (t->hs_index_live)
		index_remove(t->local, t->hs_index);
	t->hs_index_live = 0;
	noise_remote_clear_handshake(&t->remote);
}

int
keypair_usable(const struct tunnel_config *c, const struct tunnel_keypair *kp,
    uint64_t now)
{
	return kp != NULL && now - kp->birth < c->reject_after_ms &&
	    kp->send_counter < c->reject_after_messages;
}

