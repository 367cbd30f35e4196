/* mesh show's lines for a signed netconfig (showfmt.h): the version that
 * runs, its hash, where it came from, and the versions refused. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/showfmt.h"

void
showfmt_nc_pretty(FILE *f, const char *bold, const char *red,
    const char *reset, const char *since, const struct ctl_iface *ifc)
{
	if (ifc->nc_hash[0] != '\0') {
		fprintf(f, "  %snetconfig version%s: %" PRIu64 ", hash %.16s",
		    bold, reset, ifc->nc_version, ifc->nc_hash);
		if (ifc->nc_source[0] != '\0')
			fprintf(f, ", %s %s", strcmp(ifc->nc_source, "file") ==
			    0 || strcmp(ifc->nc_source, "state") == 0 ?
			    "from the" : "fetched from", ifc->nc_source);
		if (ifc->nc_since != 0)
			fprintf(f, ", %s", since);
		fputc('\n', f);
	}
	if (ifc->nc_refused[0] != '\0')
		fprintf(f, "  %sversions refused%s: %s%s%s\n", bold, reset, red,
		    ifc->nc_refused, reset);
}

/* (the values are hex digits, hostnames, words and numbers: nothing to
 * escape) */
void
showfmt_nc_json(FILE *f, const char *in, const struct ctl_iface *ifc)
{
	const char	*s;

	if (ifc->nc_hash[0] == '\0' && ifc->nc_refused[0] == '\0') {
		fprintf(f, "%s\"signed_netconfig\": null,\n", in);
		return;
	}
	fprintf(f, "%s\"signed_netconfig\": {\n", in);
	fprintf(f, "      \"version\": %" PRIu64 ",\n", ifc->nc_version);
	if (ifc->nc_hash[0] != '\0')
		fprintf(f, "      \"hash\": \"%s\",\n      \"source\": \"%s\",\n",
		    ifc->nc_hash, ifc->nc_source);
	else
		fprintf(f, "      \"hash\": null,\n      \"source\": null,\n");
	if (ifc->nc_since != 0)
		fprintf(f, "      \"since\": %" PRIu64 ",\n", ifc->nc_since);
	else
		fprintf(f, "      \"since\": null,\n");
	fprintf(f, "      \"refused\": {%s", ifc->nc_refused[0] != '\0' ?
	    "\"" : "");
	for (s = ifc->nc_refused; *s != '\0'; s++)
		if (*s == '=')
			fputs("\": ", f);
		else if (*s == ',')
			fputs(", \"", f);
		else
			fputc(*s, f);
	fprintf(f, "}\n%s},\n", in);
}
