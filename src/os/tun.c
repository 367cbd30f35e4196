/* TUN devices: the parts common to all backends (see tun.h). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "os/tun.h"

int
tun_open(struct tun *t, const struct tun_ops *ops,
    const struct tun_config *cfg, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->fd = -1;
	t->peer_fd = -1;
	t->cfg = *cfg;
	memcpy(t->ifname, cfg->ifname, sizeof(t->ifname));
	if (ops->open(t, cfg, err, errlen) == -1) {
		if (t->fd != -1)
			close(t->fd);
		t->fd = -1;
		return -1;
	}
	return 0;
}

void
tun_close(struct tun *t)
{
	if (t->ops == NULL)
		return;
	t->ops->close(t);
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
	t->ops = NULL;
}
