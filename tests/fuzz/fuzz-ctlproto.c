/* Fuzz target for the control protocol decoders (src/control/ctlproto.c). The first
 * byte picks the decoder; a reply that decodes must re-encode to a reply
 * that decodes to the same model (the encoder and decoder agree). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctlproto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_reply(const char *buf, size_t len)
{
	struct ctl_reply	r, r2;
	struct ctl_writer	w;
	char			err[256];
	size_t			i;

	if (ctl_reply_decode(buf, len, &r, err, sizeof(err)) == -1) {
		if (strlen(err) == 0)
			abort();	/* every failure says why */
		ctl_reply_free(&r);
		return;
	}
	ctl_writer_init(&w, CTL_MAX_REPLY);
	ctl_put_reply(&w, &r);
	if (ctl_writer_finish(&w, r.errnum, r.error) == -1)
		abort();
	if (ctl_reply_decode(w.buf, w.len, &r2, err, sizeof(err)) == -1)
		abort();
	if (r2.npeers != r.npeers || r2.has_iface != r.has_iface ||
	    r2.errnum != r.errnum ||
	    memcmp(&r2.iface, &r.iface, sizeof(r.iface)) != 0 ||
	    memcmp(&r2.dht, &r.dht, sizeof(r.dht)) != 0 ||
	    memcmp(&r2.reload, &r.reload, sizeof(r.reload)) != 0 ||
	    memcmp(&r2.lookup, &r.lookup, sizeof(r.lookup)) != 0)
		abort();
	for (i = 0; i < r.npeers; i++)
		if (memcmp(&r.peers[i], &r2.peers[i], sizeof(r.peers[i])) != 0)
			abort();
	ctl_reply_free(&r2);
	ctl_reply_free(&r);
	ctl_writer_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request	rq;
	char			err[256], *buf;

	if (size < 1 || size > CTL_MAX_REPLY)
		return 0;
	/* A copy without a NUL after it, so over-reads trip ASan. */
	if ((buf = malloc(size - 1 + 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	(void)ctl_message_len(buf, size - 1);
	if (data[0] & 1) {
		if (ctl_request_decode(buf, size - 1, &rq, err,
		    sizeof(err)) == 0) {
			char	out[CTL_MAX_REQUEST];

			if (ctl_request_encode(&rq, out, sizeof(out)) == 0)
				abort();
		}
	} else
		check_reply(buf, size - 1);
	free(buf);
	return 0;
}
