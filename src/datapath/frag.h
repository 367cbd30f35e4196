/* Inner packets that a member's path cannot carry whole, and that may not
 * be refused with a "too big": IPv4 without DF, and IPv6 packets of at
 * most 1280 bytes (IPv6's minimum MTU, which every link must carry end to
 * end) when the path carries less, as a 1280-byte IPv6 path does (1200
 * inner). Such a packet goes in pieces, each a tunnel control message
 * FRAG (wire.h), and the member puts it back together.
 *
 * Why not let the outer IP layer fragment it: over IPv6 only the sender
 * may fragment, and it does so at the path MTU its kernel knows; when the
 * path drops ICMP the kernel never learns it and the datagram is lost.
 * Over IPv4, NATs and firewalls often drop fragments. Pieces of our own
 * are ordinary datagrams that fit the path as probed.
 *
 * Pure: no I/O, no clock; the caller owns the buffers. */
#ifndef MESH_FRAG_H
#define MESH_FRAG_H

#include <stddef.h>
#include <stdint.h>

/* FRAG: type, index, count, 0, id (32-bit), total (16-bit), offset
 * (16-bit), length (16-bit), 0, 0, then length bytes of the packet;
 * padding after them is ignored. */
#define FRAG_HDR_LEN	16
#define FRAG_MAX_PIECES	8

/* How many pieces a packet of len bytes takes when each message carries
 * at most room bytes of plaintext; 0 if that is more than FRAG_MAX_PIECES
 * (or room leaves no space for the header). */
unsigned	frag_count(size_t len, size_t room);

/* Piece i of n of a packet of len bytes (pieces as even as they come,
 * each where frag_add expects it): writes the header to hdr and returns the piece's offset and length. */
void		frag_piece(uint8_t hdr[FRAG_HDR_LEN], uint8_t type, uint32_t id,
		    size_t len, unsigned i, unsigned n, size_t *off,
		    size_t *plen);

/* Reassembly of one packet at a time per member: pieces of another id
 * start over (a lost piece costs that packet only, as an outer fragment
 * would). */
struct frag_rx {
	uint32_t	id;
	uint16_t	total;
	uint8_t		count;
	uint8_t		have;		/* bit i: piece i is in */
	int		active;
};

enum frag_result {
	FRAG_MORE,		/* kept, the packet is not complete */
	FRAG_DONE,		/* complete: buf holds *outlen bytes */
	FRAG_BAD		/* malformed or inconsistent: dropped */
};

/* A FRAG message's plaintext (msg, len bytes) into r and buf (cap bytes,
 * the largest packet accepted). */
enum frag_result frag_add(struct frag_rx *r, uint8_t *buf, size_t cap,
		    const uint8_t *msg, size_t len, size_t *outlen);

#endif
