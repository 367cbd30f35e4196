/* Fuzz the NAT traversal message decoder: any input is either refused with
 * a reason or decodes to a message that encodes back to the same bytes
 * (MAC slot aside), with every pointer inside the input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nat/natmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t		out[NATMSG_MAX_LEN];
	struct natmsg		m;
	enum natmsg_error	e;
	size_t			n;

	e = natmsg_decode(data, size, &m);
	if (natmsg_strerror(e) == NULL)
		abort();
	if (e != NATMSG_OK)
		return 0;
	if (m.payload != NULL && (m.payload < data ||
	    m.payload + m.payload_len > data + size))
		abort();
	if (m.mac != NULL && (m.mac != data + m.maclen_covered ||
	    m.maclen_covered + 16 != size))
		abort();
	n = natmsg_encode(&m, out, sizeof(out));
	if (n != size)
		abort();
	if (m.mac != NULL) {
		if (memcmp(out, data, m.maclen_covered) != 0)
			abort();
	} else if (memcmp(out, data, size) != 0)
		abort();
	return 0;
}
