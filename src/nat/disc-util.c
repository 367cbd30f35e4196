/* Small helpers every discovery file uses: the clocks, random bytes,
 * address conversions between the socket's and the DHT's forms. Calls
 * nothing else of the discovery layer. */
#include "config.h"

#include <sys/types.h>
#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/util.h"
#include "datapath/peer.h"
#include "datapath/udp.h"
#include "nat/discint.h"

/* The daemon's clocks (common/clock.h), as the data path's. */
uint64_t
disc_now(void)
{
	return clock_mono_ms();
}

uint64_t
disc_now_us(void)
{
	return clock_mono_us();
}

uint64_t
disc_wallclock(void)
{
	return clock_unix_ms();
}

void
disc_random(void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = getrandom(p, len, 0)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

const char *
disc_addr(const struct sockaddr_in6 *a, char *buf, size_t len)
{
	return udp_addr_fmt(a, buf, len);
}

void
disc_sa_from_dht(struct sockaddr_in6 *out, const struct dht_addr *a)
{
	struct sockaddr_storage	ss;
	size_t			len;

	len = dht_addr_to_sockaddr(a, (struct sockaddr *)&ss);
	if (udp_addr_from(out, (struct sockaddr *)&ss, (socklen_t)len) == -1)
		memset(out, 0, sizeof(*out));
}

void
disc_dht_from_sa(struct dht_addr *out, const struct sockaddr_in6 *a)
{
	if (dht_addr_from_sockaddr(out, (const struct sockaddr *)a) == -1)
		memset(out, 0, sizeof(*out));
}

/* A member's name for messages. */
const char *
disc_mname(const struct dmember *m)
{
	return m->peer->hostname[0] != '\0' ? m->peer->hostname : "member";
}
