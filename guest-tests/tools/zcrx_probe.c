// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-probe: what make hw-test asks before it touches anything.
 *   zcrx-probe query
 *     the kernel's zcrx and 7.3 events support, from IORING_REGISTER_QUERY
 *     (never from the version): exit 0 when both are usable, else 1 with
 *     the reason on stdout.
 *   zcrx-probe bind IFNAME QUEUE
 *     a zcrx registration on IFNAME's rx queue QUEUE with a 16-page area.
 *     The core checks the driver's queue management ops first
 *     (EOPNOTSUPP without them) and tcp-data-split second (EINVAL while
 *     it is off): either EINVAL or a registration that succeeds (released
 *     at once) proves the ops; exit 0, else 1 with the error.
 */
#define _GNU_SOURCE
#define ZCRX_LIB_NO_HARNESS
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zcrx_lib.h"

static int query(void)
{
	const char *why = zcrx_events_missing();

	if (zcrx_caps()->zcrx_result) {
		printf("no zcrx: IORING_REGISTER_QUERY zcrx result %d\n", zcrx_caps()->zcrx_result);
		return 1;
	}
	if (why) {
		printf("no zcrx events: %s\n", why);
		return 1;
	}
	printf("zcrx and events: yes (ctrl opcodes %u)\n", zcrx_caps()->zcrx.nr_ctrl_opcodes);
	return 0;
}

static int bind_probe(const char *ifname, const char *q)
{
	unsigned int idx = if_nametoindex(ifname);
	int r;

	if (!idx) {
		printf("no interface %s\n", ifname);
		return 1;
	}
	r = ifq_bind_once((int)idx, (unsigned int)atoi(q), 16);
	if (!r || r == -EINVAL) {
		printf("queue management ops: yes (test registration on queue %s: %s)\n", q,
		       r ? "EINVAL, tcp-data-split off" : "bound and released");
		return 0;
	}
	printf("%s queue %s: %s\n", ifname, q,
	       r == -EOPNOTSUPP ? "EOPNOTSUPP: the driver has no queue management ops" : strerror(-r));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "query"))
		return query();
	if (argc == 4 && !strcmp(argv[1], "bind"))
		return bind_probe(argv[2], argv[3]);
	fprintf(stderr, "usage: zcrx-probe query | zcrx-probe bind IFNAME QUEUE\n");
	return 2;
}
