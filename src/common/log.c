/* Logging: stderr in the foreground, syslog otherwise. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"

static int	log_foreground = 1;
static int	log_level = LOG_LVL_INFO;
static unsigned	log_cats = (1u << LOG_C_COUNT) - 1;

static const char *const log_cat_names[LOG_C_COUNT] = {
	[LOG_C_MAIN] = "main",
	[LOG_C_CTL] = "control",
	[LOG_C_DHT] = "dht",
	[LOG_C_NAT] = "nat",
	[LOG_C_TUNNEL] = "tunnel",
	[LOG_C_PEER] = "peer",
	[LOG_C_DATA] = "data",
};

void
log_init(int foreground, int verbose, const char *ident)
{
	const char	*env = getenv("MESH_LOG");
	char		 err[128];

	log_foreground = foreground;
	if (verbose < 0)
		verbose = 0;
	log_level = LOG_LVL_INFO + verbose;
	if (log_level > LOG_LVL_TRACE)
		log_level = LOG_LVL_TRACE;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (env != NULL && env[0] != '\0' &&
	    log_set_categories(env, err, sizeof(err)) == -1)
		log_warnx("MESH_LOG: %s", err);
}

int
log_set_categories(const char *list, char *err, size_t errlen)
{
	unsigned	 cats = 0;
	const char	*p = list, *e;
	size_t		 len;
	int		 i, found;

	while (*p != '\0') {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		found = 0;
		if (len == 3 && strncmp(p, "all", 3) == 0) {
			cats = (1u << LOG_C_COUNT) - 1;
			found = 1;
		}
		for (i = 0; i < LOG_C_COUNT && !found; i++) {
			if (strlen(log_cat_names[i]) == len &&
			    strncmp(p, log_cat_names[i], len) == 0) {
				cats |= 1u << i;
				found = 1;
			}
		}
		if (!found && len > 0) {
			snprintf(err, errlen, "unknown category '%.*s': "
			    "expected all, main, control, dht, nat, tunnel, "
			    "peer or data", (int)len, p);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	log_cats = cats;
	return 0;
}

int
log_enabled(enum log_cat cat, enum log_level level)
{
	if ((int)level > log_level)
		return 0;
	if (level >= LOG_LVL_DEBUG && (unsigned)cat < LOG_C_COUNT &&
	    !(log_cats & (1u << cat)))
		return 0;
	return 1;
}

int
log_verbose(void)
{
	return log_level - LOG_LVL_INFO;
}

/* Write one finished message; prefix (a category) may be NULL. Control
 * characters in it become '?': a message is one line, whatever a peer, a
 * router or a file put into its arguments (no forged log lines, no
 * terminal escapes). */
static void
vlog_str(int level, const char *prefix, char *msg)
{
	static const int	 prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char			*p;

	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
	if (log_foreground) {
		uint64_t	ms = clock_unix_ms();
		time_t		s = (time_t)(ms / 1000);
		struct tm	tm;

		localtime_r(&s, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03u %s%s%s\n", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000),
		    prefix != NULL ? prefix : "", prefix != NULL ? ": " : "",
		    msg);
		fflush(stderr);
	} else
		syslog(prio[level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : level],
		    "%s%s%s", prefix != NULL ? prefix : "",
		    prefix != NULL ? ": " : "", msg);
}

static void	vlog(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	vlogc(enum log_cat, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static void
vlog(int level, int errnum, const char *fmt, va_list ap)
{
	char			 msg[1024];
	int			 n;

	if (level > log_level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0 && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(errnum));
	vlog_str(level, NULL, msg);
}

#define LOGFN(name, level, witherr)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	ap;						\
	int	e = errno;					\
								\
	va_start(ap, fmt);					\
	vlog(level, witherr ? e : 0, fmt, ap);			\
	va_end(ap);						\
	errno = e;						\
}
LOGFN(log_warn, LOG_LVL_WARN, 1)
LOGFN(log_warnx, LOG_LVL_WARN, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)

static void
vlogc(enum log_cat cat, int level, const char *fmt, va_list ap)
{
	char	msg[1024];

	if (!log_enabled(cat, (enum log_level)level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	vlog_str(level, (unsigned)cat < LOG_C_COUNT ? log_cat_names[cat] :
	    "?", msg);
}

#define LOGCFN(name, level)					\
void								\
name(enum log_cat cat, const char *fmt, ...)			\
{								\
	va_list	ap;						\
	int	e = errno;					\
								\
	va_start(ap, fmt);					\
	vlogc(cat, level, fmt, ap);				\
	va_end(ap);						\
	errno = e;						\
}
LOGCFN(log_debugc, LOG_LVL_DEBUG)
LOGCFN(log_tracec, LOG_LVL_TRACE)

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
