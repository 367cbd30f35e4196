/* The one decoder for tunnel messages: classify by the first byte, check
 * lengths and reserved bytes. Authentication is the tunnel's job. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "tunnel/wire.h"

/* The structs are byte arrays: their sizes are the wire sizes. */
_Static_assert(sizeof(struct wire_initiation) == WIRE_INITIATION_LEN,
    "initiation size");
_Static_assert(sizeof(struct wire_response) == WIRE_RESPONSE_LEN,
    "response size");
_Static_assert(sizeof(struct wire_cookie_reply) == WIRE_COOKIE_REPLY_LEN,
    "cookie reply size");
_Static_assert(sizeof(struct wire_data) == WIRE_DATA_HEADER_LEN,
    "data header size");
_Static_assert(offsetof(struct wire_initiation, mac1) ==
    WIRE_INITIATION_MAC1_OFF, "initiation mac1 offset");
_Static_assert(offsetof(struct wire_response, mac1) ==
    WIRE_RESPONSE_MAC1_OFF, "response mac1 offset");
_Static_assert(WIRE_HANDSHAKE_MAX_LEN >= WIRE_RESPONSE_LEN &&
    WIRE_HANDSHAKE_MAX_LEN >= WIRE_COOKIE_REPLY_LEN, "reply buffer size");

enum wire_err
wire_decode(const uint8_t *buf, size_t len, struct wire_msg *msg)
{
	size_t	want;

	if (len == 0)
		return WIRE_ERR_EMPTY;
	switch (buf[0]) {
	case WIRE_INITIATION:
		want = WIRE_INITIATION_LEN;
		break;
	case WIRE_RESPONSE:
		want = WIRE_RESPONSE_LEN;
		break;
	case WIRE_COOKIE_REPLY:
		want = WIRE_COOKIE_REPLY_LEN;
		break;
	case WIRE_DATA:
		want = 0;
		break;
	default:
		return WIRE_ERR_TYPE;
	}
	if (want != 0 && len != want)
		return WIRE_ERR_LENGTH;
	if (want == 0 && (len < WIRE_DATA_MIN_LEN || len > WIRE_DATA_MAX_LEN))
		return WIRE_ERR_LENGTH;
	if (buf[1] != 0 || buf[2] != 0 || buf[3] != 0)
		return WIRE_ERR_RESERVED;

	msg->type = (enum wire_type)buf[0];
	msg->sender = msg->receiver = 0;
	msg->counter = 0;
	msg->payload_len = 0;
	switch (msg->type) {
	case WIRE_INITIATION:
		msg->u.init = (const struct wire_initiation *)(const void *)buf;
		msg->sender = wire_get32(msg->u.init->sender);
		break;
	case WIRE_RESPONSE:
		msg->u.resp = (const struct wire_response *)(const void *)buf;
		msg->sender = wire_get32(msg->u.resp->sender);
		msg->receiver = wire_get32(msg->u.resp->receiver);
		break;
	case WIRE_COOKIE_REPLY:
		msg->u.cookie =
		    (const struct wire_cookie_reply *)(const void *)buf;
		msg->receiver = wire_get32(msg->u.cookie->receiver);
		break;
	case WIRE_DATA:
		msg->u.data = (const struct wire_data *)(const void *)buf;
		msg->receiver = wire_get32(msg->u.data->receiver);
		msg->counter = wire_get64(msg->u.data->counter);
		msg->payload_len = len - WIRE_DATA_OVERHEAD;
		break;
	}
	return WIRE_OK;
}

const char *
wire_strerror(enum wire_err e)
{
	switch (e) {
	case WIRE_OK:
		return "ok";
	case WIRE_ERR_EMPTY:
		return "empty datagram";
	case WIRE_ERR_TYPE:
		return "not a tunnel message type";
	case WIRE_ERR_LENGTH:
		return "wrong length for the message type";
	case WIRE_ERR_RESERVED:
		return "reserved bytes not zero";
	}
	return "unknown error";
}
