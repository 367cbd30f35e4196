/* The netconfig: one text file describing a network (pure parser: buffer in,
 * struct or error out), and the word pairs `mesh up` takes on its command
 * line, parsed by the same value helpers. */
#ifndef MESH_NETCONF_H
#define MESH_NETCONF_H

#include <stddef.h>
#include <stdint.h>

#include "netconf/keys.h"

#define NETCONF_DEFAULT_NS	"public"
#define NETCONF_DEFAULT_WORKBIT	8
#define NETCONF_DEFAULT_PORT	6374	/* "mesh" on a phone keypad */
#define NETCONF_MAX_WORKBIT	64
#define NETCONF_NAME_MAX	32	/* network name, namespace */
#define NETCONF_HOST_MAX	255	/* endpoint host (DNS name or literal) */
#define NETCONF_HOSTNAME_MAX	63	/* member hostname (one DNS label) */
/* The DNS domain of the members' names: at most 253 - 64 characters, so
 * that every HOSTNAME.DOMAIN fits in a DNS name (253). */
#define NETCONF_DOMAIN_MAX	189
#define NETCONF_DOMAIN_DEFAULT	"internal"	/* NAME.internal (RFC 9476) */
#define NETCONF_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define NETCONF_MAX_BOOTS	64
#define NETCONF_MAX_MEMBERS	4096
#define NETCONF_MAX_SIZE	(1024 * 1024)
#define NETCONF_LINE_MAX	1024	/* bytes per line, without the newline */
#define NETCONF_MAX_ADMINS	16
#define NETCONF_SIG_LEN		64	/* an Ed25519 signature */

/* host[:port] as written; resolution is the daemon's job. IPv6 literals are
 * written [addr]:port or bare; host holds them without the brackets. */
struct nc_endpoint {
	char		host[NETCONF_HOST_MAX + 1];
	uint16_t	port;		/* NETCONF_DEFAULT_PORT when omitted */
};

/* "host:port", or "[host]:port" for an IPv6 literal; returns out. */
#define NETCONF_EP_STRLEN	(NETCONF_HOST_MAX + 9)
const char *netconf_endpoint_format(char out[NETCONF_EP_STRLEN],
	    const struct nc_endpoint *ep);

struct nc_boot {
	uint8_t			key[KEY_LEN];
	struct nc_endpoint	ep;
	int			line;
};

struct nc_member {
	char			hostname[NETCONF_HOSTNAME_MAX + 1]; /* "" if none */
	uint8_t			key[KEY_LEN];
	uint32_t		ip4;		/* host byte order */
	int			ip4_explicit;	/* given in the file, not allocated */
	uint8_t			ip6[16];	/* ULA derived from namespace+key */
	int			has_endpoint;
	struct nc_endpoint	ep;
	int			line;
};

struct netconf {
	char			 name[NETCONF_NAME_MAX + 1];
	char			 ns[NETCONF_NAME_MAX + 1];
	uint32_t		 subnet;	/* host byte order, masked */
	unsigned		 prefixlen;
	unsigned		 workbit;
	/* The `domain` directive, or the network name lowercased with '_'
	 * as '-' followed by ".internal"; "" when that is no DNS name (a
	 * name like "a..b"): then the members have no DNS names. */
	char			 domain[NETCONF_DOMAIN_MAX + 1];
	uint8_t			 ula_prefix[8];	/* the /64 all members' ip6 share */
	struct nc_boot		*boots;
	size_t			 nboots;
	struct nc_member	*members;
	size_t			 nmembers;
	/* Signed netconfigs (netconf-admin.c parses these directives,
	 * sign.h verifies): the admins' Ed25519 public keys, the version
	 * (0 when absent) and the signature line, always the file's last. */
	uint8_t			 admins[NETCONF_MAX_ADMINS][KEY_LEN];
	int			 admin_lines[NETCONF_MAX_ADMINS];
	size_t			 nadmins;
	uint64_t		 version;
	int			 version_line;	/* 0: no version directive */
	int			 sig_line;	/* 0: not signed */
	uint8_t			 sig_key[KEY_LEN]; /* the signer's key */
	uint8_t			 sig[NETCONF_SIG_LEN];
};

/* Parse a netconfig held in buf (len bytes, need not be NUL-terminated).
 * On success fills *nc (free with netconf_free) and returns 0. On failure
 * returns -1, sets *errline to the 1-based line (0 when the error concerns
 * the whole file) and writes "what was expected" into err; *nc is then
 * left empty (netconf_free on it is harmless). The caller prefixes the
 * file name: "FILE:LINE: err", or "FILE: err" when the line is 0. */
int	netconf_parse(const char *buf, size_t len, struct netconf *nc,
	    int *errline, char *err, size_t errlen);
void	netconf_free(struct netconf *nc);

/* Read and parse the file at path (netconf-load.c, the one function here
 * that does I/O). On failure err holds the whole message, "PATH:LINE:
 * what was expected" (or "PATH: reason"), ready to print. flags:
 * NETCONF_LOAD_SECURE for the trust list of a daemon (mesh up, reload):
 * the file must be a regular file (a FIFO would block the daemon) that
 * group and others cannot write (whoever can write it decides who may
 * join the network), checked on the descriptor that is read. */
#define NETCONF_LOAD_SECURE	0x1
/* NETCONF_LOAD_VERIFY: a signed file must have a valid signature and a
 * version (sign.h); who signed it is not checked (root's own file). */
#define NETCONF_LOAD_VERIFY	0x2
int	netconf_load(const char *path, unsigned flags, struct netconf *nc,
	    char *err, size_t errlen);
/* The reading half of netconf_load: the file's bytes into *buf (free it),
 * checked as flags say; -1 with err set as netconf_load does. */
int	netconf_read(const char *path, unsigned flags, char **buf,
	    size_t *len, char *err, size_t errlen);
/* The parsing half: errors as "PATH:LINE: what" in err. */
int	netconf_parse_named(const char *path, const char *buf, size_t len,
	    struct netconf *nc, char *err, size_t errlen);

/* The member with this key, IPv4 or IPv6 address; NULL if none. */
const struct nc_member *netconf_member_by_key(const struct netconf *,
	    const uint8_t key[KEY_LEN]);
const struct nc_member *netconf_member_by_ip4(const struct netconf *,
	    uint32_t ip4);		/* host byte order */
const struct nc_member *netconf_member_by_ip6(const struct netconf *,
	    const uint8_t ip6[16]);

/* The default interface name, "mesh-NAME", into out. -1 with err set
 * (telling the user to pass `interface NAME`) when it would be longer than
 * NETCONF_IFNAME_MAX. */
int	netconf_default_ifname(const struct netconf *nc,
	    char out[NETCONF_IFNAME_MAX + 1], char *err, size_t errlen);

/* Value helpers shared by the file parser and command lines. Each returns
 * 0, or -1 with *why set to what was expected. */
int	netconf_parse_workbit(const char *s, unsigned *out, const char **why);
int	netconf_parse_name(const char *s, const char **why);
int	netconf_parse_namespace(const char *s, const char **why);
int	netconf_parse_port(const char *s, uint16_t *out, const char **why);
int	netconf_parse_ifname(const char *s, const char **why);
/* The domain directive's value into out: a DNS name of at most
 * NETCONF_DOMAIN_MAX characters, not under .arpa; a trailing dot (an
 * absolute name) is allowed and dropped, case is kept. */
int	netconf_parse_domain(const char *s, char out[NETCONF_DOMAIN_MAX + 1],
	    const char **why);
/* The default domain of a network called name: NAME.internal, lowercased,
 * '_' written '-'; "" when that is still no DNS name ("a..b"). */
void	netconf_default_domain(const char *name,
	    char out[NETCONF_DOMAIN_MAX + 1]);
/* A member's hostname: one DNS label with at least one letter. A DNS
 * name: labels separated by dots, at most 253 characters, the last not all
 * digits. 1 if s is one. */
int	netconf_valid_hostname(const char *s);
int	netconf_valid_dns_name(const char *s);

/* netconf-admin.c: the admin, version and signature directives for the
 * parser (av[0] is the directive's name; last: the line is the file's
 * last); 0, or -1 with err set to what was expected. */
int	netconf_parse_signing(struct netconf *nc, char **av, int ac, int line,
	    int last, char *err, size_t errlen);
/* What a reload may not change without a restart: the network name,
 * namespace, subnet, workbit or domain, and this node's own membership and
 * address (self: its public key; NULL skips that check). 0, or one of these with err set. */
#define NETCONF_CHANGE_NETWORK	1	/* name, namespace or subnet */
#define NETCONF_CHANGE_WORKBIT	2
#define NETCONF_CHANGE_SELF	3	/* own membership or address */
#define NETCONF_CHANGE_DOMAIN	4
int	netconf_reload_check(const struct netconf *old,
	    const struct netconf *nc, const uint8_t self[KEY_LEN], char *err,
	    size_t errlen);
/* The length of the part of a signed file that its signature covers:
 * everything before the last line (which the parser made sure is the
 * signature line). */
size_t	netconf_signed_len(const char *buf, size_t len);

/* The word pairs of `mesh up NETCONFIG [private-key FILE] [interface NAME]
 * [listen-port N] [tcp-port N] [metrics ADDR:PORT] [-f] [-v]`. argv holds the arguments after "up" (argv[0]
 * is the first of them, as in `netconf_parse_up_args(argc - 1, argv + 1,
 * ...)` from a cmd main). Flags may come anywhere and may be grouped
 * (-fvv); the first word that is not a flag or a pair is NETCONFIG. Each
 * pair at most once. Pointers point into argv. Returns 0, or -1 with err
 * set (a usage error). */
struct up_args {
	const char	*netconfig;
	const char	*private_key;	/* NULL if not given */
	char		 ifname[NETCONF_IFNAME_MAX + 1]; /* "" if not given */
	uint16_t	 listen_port;	/* 0 if not given */
	uint16_t	 tcp_port;	/* a second TCP port (0: none) */
	char		 metrics_addr[46];	/* IP literal; "" if not
						 * given */
	uint16_t	 metrics_port;
	int		 foreground;	/* -f given */
	int		 verbose;	/* number of -v */
};
int	netconf_parse_up_args(int argc, char **argv, struct up_args *ua,
	    char *err, size_t errlen);

#endif
