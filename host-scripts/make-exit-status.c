// SPDX-License-Identifier: GPL-2.0
/*
 * A GNU make plugin (load directive) for make vm-run / vm-shell: GNU make
 * itself exits only 0, 1 or 2, but these targets promise the guest
 * command's exit status. $(exit-status-file PATH) reads a number from PATH,
 * removes PATH and ends make with that status. Loaded by the Makefile only
 * for those targets; without it (no compiler) make exits 2 as usual.
 */
#include <gnumake.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int plugin_is_GPL_compatible;

static char *exit_status_file(const char *name, unsigned int argc, char **argv)
{
	int status = 2;
	FILE *f = fopen(argv[0], "r");

	(void)name;
	(void)argc;
	if (f) {
		if (fscanf(f, "%d", &status) != 1 || status < 0 || status > 255)
			status = 2;
		fclose(f);
		unlink(argv[0]);
	}
	fflush(NULL);
	exit(status);
}

int make_exit_status_gmk_setup(const gmk_floc *floc)
{
	(void)floc;
	gmk_add_function("exit-status-file", exit_status_file, 1, 1, GMK_FUNC_DEFAULT);
	return 1;
}
