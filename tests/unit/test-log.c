/* Tests of the logging levels and categories (src/common/log.c), reading what is
 * written to stderr in the foreground mode. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "t.h"

static FILE	*capture;
static int	 real_stderr = -1;

/* Send stderr (the log) to the capture file until logged(). */
static void
cap(void)
{
	fflush(stderr);
	dup2(fileno(capture), STDERR_FILENO);
}

/* Everything logged since cap(), without the timestamps; stderr is the
 * real one again (so failures are seen). */
static char *
logged(void)
{
	static char	out[4096];
	char		line[512];
	size_t		n = 0;

	fflush(stderr);
	dup2(real_stderr, STDERR_FILENO);
	rewind(capture);
	out[0] = '\0';
	while (fgets(line, sizeof(line), capture) != NULL) {
		const char	*msg = strchr(line, ' ');

		msg = msg != NULL ? msg + 1 : line;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", msg);
	}
	if (ftruncate(fileno(capture), 0) == -1)
		out[0] = '\0';
	rewind(capture);
	return out;
}

T_TEST(levels)
{
	cap();
	log_init(1, 0, "test");
	log_info("info %d", 1);
	log_debug("debug");
	log_debugc(LOG_C_DHT, "dht debug");
	log_warnx("warn");
	T_EQ_STR(logged(), "info 1\nwarn\n");
	T_EQ_INT(log_verbose(), 0);

	cap();
	log_init(1, 1, "test");
	log_debug("debug");
	log_debugc(LOG_C_DHT, "lookup %s", "x");
	log_tracec(LOG_C_DATA, "per packet");
	T_EQ_STR(logged(), "debug\ndht: lookup x\n");

	cap();
	log_init(1, 2, "test");
	log_tracec(LOG_C_DATA, "per packet");
	T_EQ_STR(logged(), "data: per packet\n");
	T_ASSERT(log_enabled(LOG_C_DATA, LOG_LVL_TRACE));

	log_init(1, 9, "test");		/* capped at trace */
	T_EQ_INT(log_verbose(), 2);
}

/* Whatever the arguments hold, a message stays one line without control
 * characters (a router's or a peer's strings must not forge log lines or
 * send escapes to a terminal). */
T_TEST(control_chars)
{
	cap();
	log_init(1, 1, "test");
	log_warnx("from router: %s.", "x\n12:00:00.000 forged\033[2J\r");
	log_debugc(LOG_C_NAT, "%s", "tab\there");
	T_EQ_STR(logged(), "from router: x?12:00:00.000 forged?[2J?.\n"
	    "nat: tab?here\n");
}

T_TEST(categories)
{
	char	err[128];

	log_init(1, 1, "test");
	T_EQ_INT(log_set_categories("dht,nat", err, sizeof(err)), 0);
	T_ASSERT(log_enabled(LOG_C_DHT, LOG_LVL_DEBUG));
	T_ASSERT(log_enabled(LOG_C_NAT, LOG_LVL_DEBUG));
	T_ASSERT(!log_enabled(LOG_C_TUNNEL, LOG_LVL_DEBUG));
	/* categories never hide info and above */
	T_ASSERT(log_enabled(LOG_C_TUNNEL, LOG_LVL_INFO));
	cap();
	log_debugc(LOG_C_TUNNEL, "hidden");
	log_debugc(LOG_C_NAT, "shown");
	log_debug("uncategorised");
	T_EQ_STR(logged(), "nat: shown\nuncategorised\n");

	T_EQ_INT(log_set_categories("dht,bogus", err, sizeof(err)), -1);
	T_ASSERT(strstr(err, "unknown category 'bogus'") != NULL);
	T_ASSERT(!log_enabled(LOG_C_TUNNEL, LOG_LVL_DEBUG));	/* unchanged */
	T_EQ_INT(log_set_categories("all", err, sizeof(err)), 0);
	T_ASSERT(log_enabled(LOG_C_TUNNEL, LOG_LVL_DEBUG));

	setenv("MESH_LOG", "control", 1);
	log_init(1, 1, "test");
	T_ASSERT(log_enabled(LOG_C_CTL, LOG_LVL_DEBUG));
	T_ASSERT(!log_enabled(LOG_C_DHT, LOG_LVL_DEBUG));
	setenv("MESH_LOG", "nope", 1);
	cap();
	log_init(1, 0, "test");
	T_ASSERT(strstr(logged(), "MESH_LOG: unknown category 'nope'") !=
	    NULL);
	unsetenv("MESH_LOG");
	T_EQ_INT(log_set_categories("all", err, sizeof(err)), 0);
}

int
main(void)
{
	if ((capture = tmpfile()) == NULL ||
	    (real_stderr = dup(STDERR_FILENO)) == -1)
		return 99;
	T_RUN(levels);
	T_RUN(control_chars);
	T_RUN(categories);
	return t_done();
}
