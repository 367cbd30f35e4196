/* Small helpers with no better home. */
#ifndef MESH_UTIL_H
#define MESH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/clock.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Copy src into dst (size dstsz), always NUL-terminating; returns strlen(src). */
size_t	util_strlcpy(char *dst, const char *src, size_t dstsz);

/* Parse a whole decimal string into [min, max]; 0 on success, -1 otherwise. */
int	util_parse_uint(const char *s, unsigned long min, unsigned long max,
	    unsigned long *out);

/* snprintf into err (errlen bytes, none written if 0); returns -1, so
 * that an error path can end in `return util_errf(...)`. */
int	util_errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Read a whole file (at most maxlen bytes) into a NUL-terminated buffer the
 * caller frees; -1 with errno set on failure (EFBIG when too large). */
int	util_read_file(const char *path, size_t maxlen, char **buf, size_t *len);
/* The same from an open descriptor, which it leaves open. */
int	util_read_fd(int fd, size_t maxlen, char **buf, size_t *len);
/* Write all of buf to fd (again after EINTR or a short write); 0, or -1
 * with errno set. */
int	util_write_all(int fd, const void *buf, size_t len);

/* CLOCK_MONOTONIC in milliseconds: the old name of clock_mono_ms()
 * (common/clock.h), kept for the call sites in files being split at the
 * same time; new code calls clock_mono_ms(). */
#define util_mono_ms()	clock_mono_ms()

#endif
