/* The optional Prometheus endpoint (`mesh up ... metrics ADDR:PORT`):
 * libevent's evhttp serves GET /metrics on a local address, built from
 * the same records as `mesh show` (daemon_show, decoded, then
 * metrics_format), so the two never disagree. Off by default. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/log.h"
#include "control/ctlproto.h"
#include "control/metrics.h"
#include "daemon/daemon-int.h"

#define METRICS_TIMEOUT_S	10	/* per connection */
#define METRICS_MAX_HEADERS	8192
#define METRICS_MAX_BODY	0	/* GET and HEAD carry none */

static void
metrics_cb(struct evhttp_request *req, void *arg)
{
	struct daemon		*d = arg;
	struct ctl_writer	 w;
	struct ctl_reply	 r;
	struct evbuffer		*body;
	char			 err[256], *text = NULL;
	size_t			 len;

	ctl_writer_init(&w, CTL_MAX_REPLY);
	memset(&r, 0, sizeof(r));
	if (daemon_show(d, "all", &w, err, sizeof(err)) != 0 ||
	    ctl_writer_finish(&w, 0, NULL) == -1 ||
	    ctl_reply_decode(w.buf, w.len, &r, err, sizeof(err)) == -1 ||
	    (text = metrics_format(&r, &len)) == NULL ||
	    (body = evbuffer_new()) == NULL) {
		log_debug("metrics: cannot build the reply");
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		goto out;
	}
	evbuffer_add(body, text, len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
out:
	free(text);
	ctl_reply_free(&r);
	ctl_writer_free(&w);
}

static void
other_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics");
}

int
daemon_metrics_start(struct daemon *d, const char *addr, uint16_t port,
    char *err, size_t errlen)
{
	if (addr == NULL || addr[0] == '\0')
		return 0;
	if ((d->http = evhttp_new(d->base)) == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return -1;
	}
	evhttp_set_allowed_methods(d->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(d->http, METRICS_TIMEOUT_S);
	evhttp_set_max_headers_size(d->http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(d->http, METRICS_MAX_BODY);
	if (evhttp_set_cb(d->http, "/metrics", metrics_cb, d) != 0) {
		snprintf(err, errlen, "metrics: out of memory");
		return -1;
	}
	evhttp_set_gencb(d->http, other_cb, d);
	if (evhttp_bind_socket_with_handle(d->http, addr, port) == NULL) {
		snprintf(err, errlen, "metrics: cannot listen on %s port %u "
		    "(in use, or not an address of this host)", addr,
		    (unsigned)port);
		return -1;
	}
	log_info("metrics: http://%s%s%s:%u/metrics", strchr(addr, ':') ?
	    "[" : "", addr, strchr(addr, ':') ? "]" : "", (unsigned)port);
	return 0;
}

void
daemon_metrics_stop(struct daemon *d)
{
	if (d->http != NULL)
		evhttp_free(d->http);
	d->http = NULL;
}
