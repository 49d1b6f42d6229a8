// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in guest /init for the LAVA check (host-scripts/dev/check-lava.sh):
 * it plays the suite's two outputs without running any test, so the LAVA
 * pipeline can be proven on a known answer in a few seconds:
 *   - the KTAP of one binary "fake" with three cases (pass, skip, and a
 *     third that passes, or fails with zcrx.fake=fail) on the console and
 *     on the result channel /dev/ttyS1 (a LAVA job has no virtio-serial
 *     port), as images/init.c does with
 *     zcrx.lava=1;
 *   - with zcrx.lava=1, the console lines of the LAVA contract:
 *     "zcrx-lava: start", one "zcrx-lava: case=BIN.CASE result=R" per
 *     case, "zcrx-lava: end exit=0|1";
 *   - the verdict through isa-debug-exit (QEMU exits 65 pass, 67 fail).
 * zcrx.fake=hang stops after the first case and never powers off (a job
 * that must time out). Built static: gcc -static -O2 -o init test-init.c
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT	0xf4

static char cmdline[4096];

static int has_arg(const char *arg)
{
	const char *p = cmdline;
	size_t n = strlen(arg);

	while ((p = strstr(p, arg))) {
		if ((p == cmdline || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* one line to the console and, when there, the result channel */
static void both(FILE *res, const char *line)
{
	printf("%s\n", line);
	if (res)
		fprintf(res, "%s\n", line);
}

static void contract_line(int on, const char *line)
{
	if (on)
		printf("zcrx-lava: %s\n", line);
	fflush(stdout);
}

int main(void)
{
	int lava_on, fail, hang, fd;
	FILE *res = NULL;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof(cmdline) - 1);

		cmdline[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	lava_on = has_arg("zcrx.lava=1");
	fail = has_arg("zcrx.fake=fail");
	hang = has_arg("zcrx.fake=hang");
	fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	if (fd >= 0)
		res = fdopen(fd, "w");
	if (res)
		setvbuf(res, NULL, _IOLBF, 0);

	printf("# test-init: fake suite (%s)\n", fail ? "fail" : hang ? "hang" : "pass");
	contract_line(lava_on, "start");
	both(res, "KTAP version 1");
	both(res, "1..1");
	both(res, "  KTAP version 1");
	both(res, "  1..3");
	both(res, "  ok 1 global.first__R01");
	contract_line(lava_on, "case=fake.global.first__R01 result=pass");
	if (hang) {
		printf("# test-init: hanging\n");
		for (;;)
			pause();
	}
	both(res, "  ok 2 global.second__S07_E01 # SKIP no zcrx-capable NIC");
	contract_line(lava_on, "case=fake.global.second__S07_E01 result=skip");
	both(res, fail ? "  not ok 3 bad.third__R02.rejected" : "  ok 3 bad.third__R02.rejected");
	contract_line(lava_on, fail ? "case=fake.bad.third__R02.rejected result=fail" :
			     "case=fake.bad.third__R02.rejected result=pass");
	both(res, fail ? "  # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0" :
			 "  # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:1 error:0");
	both(res, fail ? "not ok 1 fake" : "ok 1 fake");
	both(res, fail ? "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0" :
			 "# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:1 error:0");
	if (res) {
		fprintf(res, "# zcrx-vmtest: uptime suite-start=1.00 suite-end=1.10\n");
		fprintf(res, "# zcrx-vmtest: exit=%d\n", fail);
		fclose(res);
	}
	contract_line(lava_on, fail ? "end exit=1" : "end exit=0");
	/*
	 * QEMU's exit ends the dispatcher's pty at once, and what the pty has
	 * not handed over yet is lost: give the last lines time to get there
	 * (zcrx.fake=nodelay: no such pause, to show the race).
	 */
	if (!has_arg("zcrx.fake=nodelay")) {
		tcdrain(1);
		usleep(500000);
	}
	if (!ioperm(DEBUG_EXIT_PORT, 4, 1))
		outl(fail ? 0x21 : 0x20, DEBUG_EXIT_PORT);
	return 1;
}
