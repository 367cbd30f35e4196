/* Fuzz the members' names table (src/dns/names.c) with the questions a
 * member may ask the DNS server: evdns hands names_lookup the question's
 * name as text (any byte but NUL, any length), its type and its class.
 * Input: a byte choosing the table (bit 0) and the class (bit 1: IN or a
 * class taken from byte 1), the type (byte 1), then the name. The tables
 * are fixed: a /24 with named and unnamed members and a /13 (so that the
 * reverse names cross an octet boundary). Aborts on an answer that breaks
 * names.h: an rcode outside the four it names, records with an error, a
 * member index outside the netconfig, a PTR name that is not
 * NUL-terminated, or a name found by names_find_member that is not a
 * member. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/names.h"
#include "netconf/netconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char office[] =
    "name office\n"
    "subnet 10.42.0.0/24\n"
    "trust gw 10.42.0.1 EE1HZvkVL37eBN5lzAG3UCLG-f7vw-ZIakWRV74Ua04\n"
    "trust Alice 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n"
    "trust WTD-uz-dZ5KJ6oKmzd5jQVhZgkuQfdQlVNURmfRdGUQ\n"
    "trust bob TaRvr-q2ewxw_fGxgFXnyfbO8k3tZUpVitnPW3_qLSo\n"
    "trust carol 10.42.0.200 pMFkqfLh_2DFurDt7j-iHNESKOBgA8OsYoau6nT10HE\n";

static const char wide[] =
    "name lab\n"
    "subnet 10.48.0.0/13\n"
    "domain Lab.Example.\n"
    "trust a 10.48.0.1 EE1HZvkVL37eBN5lzAG3UCLG-f7vw-ZIakWRV74Ua04\n"
    "trust b 10.55.255.254 5NCm7b_2uShkajfroJOlRYeNNOvqVbOmlKtpxdOQhXA\n"
    "trust WTD-uz-dZ5KJ6oKmzd5jQVhZgkuQfdQlVNURmfRdGUQ\n";

static struct netconf	 nc[2];
static struct names	*tab[2];

static void
setup(void)
{
	const char	*text[2] = { office, wide };
	char		 err[256];
	int		 i, line;

	for (i = 0; i < 2; i++) {
		if (netconf_parse(text[i], strlen(text[i]), &nc[i], &line, err,
		    sizeof(err)) == -1 || (tab[i] = names_new(&nc[i])) == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names_answer	 a;
	char			*q;
	const struct names	*t;
	size_t			 n;
	long			 m;
	int			 which, qtype, qclass;

	if (tab[0] == NULL)
		setup();
	if (size < 2)
		return 0;
	which = data[0] & 1;
	t = tab[which];
	qtype = data[1];
	qclass = data[0] & 2 ? data[1] : NAMES_C_IN;
	/* exactly the name and its NUL, so that ASan sees a read past it;
	 * a NUL inside ends the name early, as it would for evdns */
	n = size - 2;
	if ((q = malloc(n + 1)) == NULL)
		abort();
	memcpy(q, data + 2, n);
	q[n] = '\0';

	names_lookup(t, q, qtype, qclass, &a);
	if (a.rcode != NAMES_NOERROR && a.rcode != NAMES_FORMERR &&
	    a.rcode != NAMES_NXDOMAIN && a.rcode != NAMES_REFUSED)
		abort();
	if (a.rcode != NAMES_NOERROR && (a.has_a || a.has_aaaa || a.has_ptr))
		abort();
	if (a.rcode == NAMES_REFUSED && (a.authoritative || a.soa != 0))
		abort();
	if (a.member < -1 || a.member >= (long)nc[which].nmembers)
		abort();
	if ((a.has_a || a.has_aaaa || a.has_ptr) && a.member == -1)
		abort();
	if (a.has_ptr && memchr(a.ptr, '\0', sizeof(a.ptr)) == NULL)
		abort();
	if (a.soa != NAMES_SOA_NONE && a.soa != NAMES_SOA_ANSWER &&
	    a.soa != NAMES_SOA_AUTHORITY)
		abort();

	m = names_find_member(t, q);
	if (m < -1 || m >= (long)nc[which].nmembers)
		abort();
	free(q);
	return 0;
}
