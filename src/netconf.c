/* The netconfig parser (pure: no I/O, no globals). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "netconf.h"
#include "util.h"

int
netconf_parse_workbit(const char *s, unsigned *out, const char **why)
{
	unsigned long	v;

	if (util_parse_uint(s, 0, NETCONF_MAX_WORKBIT, &v) == -1) {
		*why = "expected a workbit count from 0 to 64";
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int
netconf_parse_namespace(const char *s, const char **why)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > NETCONF_NAME_MAX) {
		*why = "expected a namespace of 1 to 32 characters";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char	c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.')) {
			*why = "expected a namespace of letters, digits, "
			    "'-', '_' and '.'";
			return -1;
		}
	}
	return 0;
}

int
netconf_parse_port(const char *s, uint16_t *out, const char **why)
{
	unsigned long	v;

	if (util_parse_uint(s, 1, 65535, &v) == -1) {
		*why = "expected a UDP port from 1 to 65535";
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

int
netconf_parse_ifname(const char *s, const char **why)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > NETCONF_IFNAME_MAX) {
		*why = "expected an interface name of 1 to 15 characters";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char	c = s[i];

		if (c == '/' || c == ':' || c <= ' ' || c > '~' ||
		    (i == 0 && c == '.')) {
			*why = "expected an interface name without '/', ':', "
			    "spaces or a leading '.'";
			return -1;
		}
	}
	return 0;
}
