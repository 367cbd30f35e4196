/* The control socket: the daemon end (libevent) and the client end used by
 * the CLI (blocking). The wire format is ctlproto.h's.
 *
 * Where sockets live: control_sockdir() picks, for a daemon, the first
 * usable directory of
 *	/run/mesh		(when /run is writable, i.e. root)
 *	$XDG_RUNTIME_DIR/mesh	(when set and writable)
 *	/tmp/mesh-<uid>		(created 0700, must be ours and not a link)
 * and the socket is <dir>/<ifname>.sock, mode 0600. A client looks in the
 * same directories, in the same order, so `mesh show` run by root finds the
 * daemons root started and an unprivileged user finds his own. When
 * $MESH_RUNDIR is set, it is the only directory (created 0700 if missing;
 * tests use it to stay out of /run/mesh).
 *
 * Who may do what: anyone who can connect (the socket's mode decides) may
 * run read-only commands (show, lookup); changes (reload, down) need the caller's
 * uid (SO_PEERCRED) to be 0 or the uid that opened the socket.
 *
 * One request per connection: the client sends a request, the daemon
 * answers and closes. For "down" the daemon replies first, then calls
 * ops->down; the connection stays open until control_close() (or process
 * exit), so a client that waits for end-of-file knows the daemon is gone.
 * A lookup is answered later (deferred): ops->lookup takes a struct
 * ctl_pending and the daemon answers it with control_answer() when the DHT
 * is done; the client waits up to CONTROL_LOOKUP_TIMEOUT s.
 */
#ifndef MESH_CONTROL_H
#define MESH_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#include "control/ctlproto.h"

#define CONTROL_DIR_RUN		"/run/mesh"
#define CONTROL_DIR_ENV		"MESH_RUNDIR"
#define CONTROL_MAX_CLIENTS	16	/* connections served at once */
#define CONTROL_TIMEOUT		5	/* seconds to send a whole request,
					 * from connect() on */
#define CONTROL_DOWN_TIMEOUT	30	/* seconds a client waits for exit */
#define CONTROL_LOOKUP_TIMEOUT	30	/* seconds a lookup may take to be
					 * answered (a DHT lookup: ~10) */

struct event_base;
struct control;
struct ctl_pending;	/* a request waiting for its answer */

/* What the daemon does for each command. Called from the event loop. */
struct control_ops {
	/* Describe the interface: ctl_put_iface, then ctl_put_peer for each
	 * member, then ctl_put_dht when what is "dht" or "all" (what is
	 * "peers", "dht", "all" or "" meaning all). Do not finish the writer.
	 * Return 0, or an errno value to reply with (and set err). */
	int	(*show)(void *arg, const char *what, struct ctl_writer *w,
		    char *err, size_t errlen);
	/* Re-read the netconfig and apply it; on success put a reload record
	 * (ctl_put_reload) and return 0. If the new config cannot be applied
	 * live, change nothing, write why into err and return an errno value
	 * (EINVAL for a bad config, EBUSY for a change needing a restart). */
	int	(*reload)(void *arg, struct ctl_writer *w, char *err,
		    size_t errlen);
	/* Start shutting down; called after the reply was sent. The daemon
	 * calls control_close() when TUN and port mappings are gone. */
	void	(*down)(void *arg);
	/* Look key up in the DHT. Return 0 when started: p must then be
	 * answered exactly once, later (never from inside this call), with
	 * control_answer (a lookup record put with ctl_put_lookup, or an
	 * errno value); or return an errno value (and set err) and never
	 * answer p. NULL: lookups not supported. */
	int	(*lookup)(void *arg, const uint8_t key[KEY_LEN],
		    struct ctl_pending *p, char *err, size_t errlen);
};

/*
 * Answer a deferred request with w's records (not finished: this does it)
 * or, when errnum is not 0, with that error alone (err: why). p is freed.
 * p stays valid until answered, whatever became of its client (gone, timed
 * out, or the control socket closed): the answer is then dropped.
 */
void	control_answer(struct ctl_pending *p, struct ctl_writer *w,
	    int errnum, const char *err);

/*
 * Daemon end. Creates the socket directory if needed and
 * <dir>/<ifname>.sock (umask 077 around bind, then chmod 0600), refusing if
 * a live daemon already answers there; a stale socket left by a dead daemon
 * is replaced. Returns NULL and fills err on failure. Call before dropping
 * privileges. The uid that may change things besides root is the caller's
 * effective uid at this point.
 */
struct control *control_open(struct event_base *, const char *ifname,
	    const struct control_ops *, void *arg, char *err, size_t errlen);
/*
 * A daemon that is about to drop privileges can no longer remove its socket
 * from a directory only root may write (/run/mesh). So before the drop, it
 * forks a remover: a process that keeps the daemon's user (root) but
 * nothing else of it (init(arg) runs first in it, e.g. to wipe secrets;
 * then every descriptor but one pipe is closed), ignores SIGTERM, SIGINT
 * and SIGHUP, waits for the daemon's end of the pipe to close (on
 * control_close, or when the daemon dies in any way) and removes the socket
 * if it is still this daemon's. 0, or -1 with err filled.
 */
int	control_keep_remover(struct control *, void (*init)(void *),
	    void *arg, char *err, size_t errlen);
/* Stop listening, close all connections and remove the socket if it is
 * still ours: ourselves, or through the remover, which this waits for. */
void	control_close(struct control *);
/* The socket's path. */
const char *control_path(const struct control *);

/*
 * Where a daemon would put its socket: writes the directory into buf,
 * creating it if create is set. 0, or -1 with errno set.
 */
int	control_sockdir(char *buf, size_t len, int create);

/*
 * Client end (blocking, no event loop). Finds ifname's socket, checks
 * that the daemon listening there runs as root or as us, sends the request
 * and reads the whole reply (at most CTL_MAX_REPLY bytes, within a
 * timeout) into *reply (NUL-terminated, caller frees) with its length.
 * For CTL_CMD_DOWN, after the reply, waits up to CONTROL_DOWN_TIMEOUT s
 * for the daemon to close the connection and then removes its socket if the
 * daemon could not (it had dropped privileges); a down request finding
 * only a stale socket (daemon killed) removes it and fails with ENOENT.
 * Returns 0, or -1 with err filled ("no daemon for mesh-x", "permission
 * denied", ...) and errno set (ENOENT when no daemon runs for ifname).
 */
int	control_request(const char *ifname, const struct ctl_request *,
	    char **reply, size_t *replylen, char *err, size_t errlen);

/*
 * The interfaces whose daemons answer: a sorted, de-duplicated array of
 * names (caller frees each and the array). Sockets nobody listens on are
 * skipped. 0, or -1 with errno set.
 */
int	control_list(char ***names, size_t *n);
void	control_list_free(char **names, size_t n);

/*
 * Ask every running daemon we may talk to (control_list, then a show
 * request) for its interface record and call fn with each; stop at the
 * first fn that returns non-zero and return that value; 0 if none did.
 * Daemons that do not answer are skipped. Used to find the daemon of a
 * netconfig or of a key.
 */
int	control_each_iface(int (*fn)(const struct ctl_iface *, void *),
	    void *arg);

#endif
