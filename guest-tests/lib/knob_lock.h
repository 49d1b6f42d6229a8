/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Locks for the machine-wide knobs that test binaries running at once
 * share (the no-NIC pool, the NIC lanes: images/suite-runner.c). Each is
 * an flock on a file in /tmp: it goes with the fd, and with the process
 * that holds it, however that process ends.
 */
#ifndef ZCRX_KNOB_LOCK_H
#define ZCRX_KNOB_LOCK_H

/* vm.nr_hugepages, from a case's nic_huge_area() to its nic_huge_release() */
#define HUGEPAGES_LOCK		"/tmp/zcrx-vmtest-hugepages.lock"
/* netdevsim's dma_rx module parameter, read by new_device (nsim_dev_new) */
#define NSIM_PARAM_LOCK		"/tmp/zcrx-vmtest-nsim-param.lock"
/* how long a case waits for one of these before it fails */
#define KNOB_LOCK_MS		60000

/* An exclusive flock on @path, waited for at most @timeout_ms: the locked
 * fd (close it to unlock), or -errno (-ETIMEDOUT when it stayed taken).
 */
int knob_lock(const char *path, int timeout_ms);

#endif
