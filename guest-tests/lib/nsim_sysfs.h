/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netdevsim's sysfs bus, for both the guest's /init (images/net-nsim.c)
 * and the tests (nsim_dev.c): plain C, no harness, no liburing.
 */
#ifndef ZCRX_NSIM_SYSFS_H
#define ZCRX_NSIM_SYSFS_H

#include <stddef.h>

#include "topology.h"

/* One write of @val to a sysfs attribute: 0 or the store's -errno. */
int sysfs_write(const char *path, const char *val);
/* new_device "@id 1 @queues" (one port). 0 or -errno. */
int nsim_new_device(unsigned int id, unsigned int queues);
/* del_device "@id". 0 or -errno. */
int nsim_del_device(unsigned int id);
/*
 * The name of netdevsim device @id's port in @name (@len bytes). Probing
 * runs inside the new_device store, so the port is normally there at
 * once; a short retry (1 s) covers a driver that probes asynchronously.
 * 0 or -ENODEV.
 */
int nsim_port_name(unsigned int id, char *name, size_t len);

#endif
