/* Addresses inside the mesh: strict IPv4 text form, subnets, and the IPv6
 * unique local address (ULA) each member derives from its key. Pure. */
#ifndef MESH_ADDR_H
#define MESH_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_IP4_STRLEN		16	/* "255.255.255.255" + NUL */
#define ADDR_IP6_STRLEN		46	/* INET6_ADDRSTRLEN */
#define ADDR_KEY_LEN		32

/* Parse a dotted quad: exactly four decimal numbers 0-255 without leading
 * zeros (so "010.1.1.1" is refused rather than read as octal or decimal).
 * *ip is in host byte order. 0 or -1. */
int	addr_ip4_parse(const char *s, uint32_t *ip);
/* True when s is made of digits and dots only and has a dot: what a user
 * meant as an IPv4 address, valid or not. */
int	addr_ip4_like(const char *s);
void	addr_ip4_format(char out[ADDR_IP4_STRLEN], uint32_t ip);

/* Parse an IPv6 literal (no brackets, no zone); 0 or -1. */
int	addr_ip6_parse(const char *s, uint8_t ip6[16]);
/* RFC 5952 text form. */
void	addr_ip6_format(char out[ADDR_IP6_STRLEN], const uint8_t ip6[16]);

/* Netmask of a prefix length 0-32, host byte order. */
uint32_t addr_ip4_mask(unsigned prefixlen);
/* Is ip inside subnet/prefixlen? */
int	addr_ip4_in_subnet(uint32_t ip, uint32_t subnet, unsigned prefixlen);
/* Is ip a usable host address of subnet/prefixlen: inside it and neither
 * its network nor its broadcast address? (Always false for /31 and /32.) */
int	addr_ip4_is_host(uint32_t ip, uint32_t subnet, unsigned prefixlen);
/* Number of usable host addresses in a /prefixlen (0 for /31, /32). */
uint32_t addr_ip4_nhosts(unsigned prefixlen);

/* The ULA /64 of a namespace: fd, then the first 7 bytes of
 * BLAKE2b-256("mesh-ula" || namespace). */
void	addr_ula_prefix(uint8_t prefix[8], const char *ns, size_t nslen);
/* A member's interface id: the last 8 bytes (24..31) of
 * BLAKE2b-256(namespace || public key); the first bytes hold the proof of
 * work's leading zeros and would waste the id's randomness. */
void	addr_ula_iid(uint8_t iid[8], const char *ns, size_t nslen,
	    const uint8_t pk[ADDR_KEY_LEN]);
/* prefix || iid. */
void	addr_ula(uint8_t ip6[16], const uint8_t prefix[8], const char *ns,
	    size_t nslen, const uint8_t pk[ADDR_KEY_LEN]);

#endif
