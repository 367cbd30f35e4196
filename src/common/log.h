/* The daemon's one logging API: stderr in the foreground, syslog otherwise.
 * Pure modules never log; they return errors and bump counters. */
#ifndef MESH_LOG_H
#define MESH_LOG_H

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
	LOG_LVL_TRACE = 4,	/* -vv: per-event detail (never at info) */
};

/* Categories of debug and trace messages, so that `-v` on a busy node can
 * be narrowed with MESH_LOG=dht,nat (comma-separated names as below, or
 * "all", the default). The category filter applies to log_debugc and
 * log_tracec; log_debug (no category) is shown whenever debug is on. */
enum log_cat {
	LOG_C_MAIN = 0,		/* "main": start-up, config, signals */
	LOG_C_CTL,		/* "control": control socket */
	LOG_C_DHT,		/* "dht" */
	LOG_C_NAT,		/* "nat": port mapping, punching, relays */
	LOG_C_TUNNEL,		/* "tunnel": handshakes, sessions */
	LOG_C_PEER,		/* "peer": paths, endpoints */
	LOG_C_DATA,		/* "data": the data path (drops, TUN, MTU) */
	LOG_C_COUNT
};

/* foreground: log to stderr; else syslog. verbose: 0 = warnings and above
 * plus info, each -v raises it one level (debug at 1, trace at 2). Reads
 * MESH_LOG for the categories; an unknown name there is reported once on
 * the log and otherwise ignored. */
void	log_init(int foreground, int verbose, const char *ident);
int	log_verbose(void);

/* Enable only the named categories ("dht,nat", "all"). 0, or -1 with the
 * unknown name in err (nothing changed then). */
int	log_set_categories(const char *list, char *err, size_t errlen);
/* Would a message of this level and category be logged? For callers that
 * must not even format an argument unless it is. */
int	log_enabled(enum log_cat, enum log_level);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);	/* appends strerror */
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
/* Debug and trace messages of a category, prefixed with its name. */
void	log_debugc(enum log_cat, const char *, ...) LOG_PRINTF(2, 3);
void	log_tracec(enum log_cat, const char *, ...) LOG_PRINTF(2, 3);
__attribute__((noreturn)) void fatal(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *, ...) LOG_PRINTF(1, 2);

#endif
