/* systemd's readiness protocol without libsystemd: one datagram to the
 * socket named by $NOTIFY_SOCKET (a path, or '@' for an abstract name).
 * Without NOTIFY_SOCKET every call is a no-op, so the daemon calls these
 * unconditionally. Call sdnotify_open() before dropping privileges or
 * chrooting (the socket may not be reachable afterwards). */
#ifndef MESH_SDNOTIFY_H
#define MESH_SDNOTIFY_H

/* Connect to $NOTIFY_SOCKET (and unset it, so children do not inherit it).
 * 0 (also when unset), or -1 with errno set if it is set but unusable. */
int	sdnotify_open(void);

/* Send one state string, e.g. "READY=1\nSTATUS=...". 0, or -1. */
int	sdnotify_send(const char *state);

/* Helpers for the common states. */
int	sdnotify_ready(const char *status);	/* READY=1 (+ STATUS) */
int	sdnotify_reloading(void);		/* RELOADING=1 */
int	sdnotify_stopping(void);		/* STOPPING=1 */
int	sdnotify_status(const char *status);

void	sdnotify_close(void);

#endif
