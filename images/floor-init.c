// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a boot (make bench): an /init that powers the machine off
 * at once through isa-debug-exit, with the status vm-run's "command ended"
 * uses (QEMU exits 69). Booting it on the same kernel and QEMU machine as
 * make vm-test measures what no change to the suite can take away: QEMU
 * start, firmware, kernel boot, power off.
 */
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "init.h"

int main(void)
{
	if (!ioperm(DEBUG_EXIT_PORT, 4, 1))
		outl(EXIT_RUN_DONE, DEBUG_EXIT_PORT);
	reboot(RB_AUTOBOOT);	/* no such device: -no-reboot ends QEMU */
	for (;;)
		pause();
}
