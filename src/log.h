/* The daemon's one logging API: stderr in the foreground, syslog otherwise.
 * Pure modules never log; they return errors and bump counters. */
#ifndef MESH_LOG_H
#define MESH_LOG_H

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

/* foreground: log to stderr; else syslog. verbose: 0 = warnings and above
 * plus info, each -v raises it one level (debug at 1). */
void	log_init(int foreground, int verbose, const char *ident);
int	log_verbose(void);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);	/* appends strerror */
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatal(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *, ...) LOG_PRINTF(1, 2);

#endif
