// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the zcrx-vmtest guest: mount the pseudo filesystems, load the
 * modules the image carries, set up the network, run the suite, and hand
 * the verdict to the host through isa-debug-exit (the exit status of QEMU)
 * as well as in text on the result channel. Kernel command line knobs:
 *   zcrx.tests=a,b     run only these test binaries
 *   zcrx.timeout=N     per-binary timeout in seconds (default 300)
 *   zcrx.gcov=1        after the suite, stream the kernel's gcov counters
 *                      to GCOV_TTY (gcov-dump.c; make kcov-report)
 * With RUN_DIR in the initramfs (make vm-run, vm-shell) it runs the host's
 * command in the Debian image instead of the suite (run-cmd.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

static void mount_fs(const char *src, const char *dst, const char *type)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, NULL) && errno != EBUSY)
		printf("# init: mount %s on %s: %s\n", type, dst, strerror(errno));
}

/* Value of "key=" on the kernel command line, or NULL. */
static char *cmdline_get(const char *key)
{
	static char buf[4096];
	char *p, *v;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (p = strtok(buf, "\n "); p; p = strtok(NULL, "\n ")) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			v = strdup(p + klen + 1);
			return v;
		}
	}
	return NULL;
}

static void suite_net_wait(void)
{
	net_wait(stdout);
}

/* The /dev node of the virtio-serial port named @name into @dev, or -1 */
static int virtio_port(const char *name, char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int ret = -1;

	while (d && ret && (e = readdir(d))) {
		char path[300], got[128] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f))
			got[strcspn(got, "\n")] = 0;
		fclose(f);
		if (!strcmp(got, name)) {
			snprintf(dev, len, "/dev/%s", e->d_name);
			ret = 0;
		}
	}
	if (d)
		closedir(d);
	return ret;
}

/* Whether a virtio-serial device is bound to virtio_console */
static int virtio_console_bound(void)
{
	DIR *d = opendir("/sys/bus/virtio/drivers/virtio_console");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)))
		found = !strncmp(e->d_name, "virtio", 6);
	if (d)
		closedir(d);
	return found;
}

/* The result channel (init.h); @path says which one it is */
static FILE *open_result_channel(const char **path)
{
	static char port[300];
	struct termios tio;
	int fd, found;

	*path = RESULT_TTY;
	/* the driver adds a port, and then names it, as the host's control
	 * messages arrive (a workqueue): wait for the name, at most 2 s,
	 * where a virtio-serial device is there to have it
	 */
	found = !virtio_port(RESULT_PORT, port, sizeof(port));
	for (int i = 0; !found && i < 400 && virtio_console_bound(); i++) {
		usleep(5000);
		found = !virtio_port(RESULT_PORT, port, sizeof(port));
	}
	if (found) {
		fd = open(port, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0) {
			/* a port whose host side is not connected blocks the
			 * first write for ever: not writable in 2 s, not used
			 */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, 2000) == 1 && pfd.revents == POLLOUT) {
				*path = port;
				return fdopen(fd, "w");
			}
			close(fd);
			errno = EPIPE;
		}
		printf("# init: result port %s: %s; using %s\n", port, strerror(errno),
		       RESULT_TTY);
	}
	fd = open(RESULT_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		printf("# init: no result channel %s: %s\n", RESULT_TTY, strerror(errno));
		return NULL;
	}
	if (!tcgetattr(fd, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	return fdopen(fd, "w");
}

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The vCPUs' time so far, in clock ticks, from /proc/stat's "cpu" line:
 * busy (user, nice, system, irq, softirq) and idle (idle, iowait).
 */
static void cpu_ticks(unsigned long long *busy, unsigned long long *idle)
{
	unsigned long long v[7] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*busy = *idle = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6]) == 7) {
		*busy = v[0] + v[1] + v[2] + v[5] + v[6];
		*idle = v[3] + v[4];
	}
	fclose(f);
}

static double boot_seconds(void)
{
	double up = -1;
	FILE *f = fopen("/proc/uptime", "r");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = -1;
		fclose(f);
	}
	return up;
}

/* On kernels with kmemleak (the debug config): scan twice, the second time
 * after the minimum object age, and print what it found to the console,
 * where the host's splat scan sees "unreferenced object". Returns the
 * number of leak reports.
 */
static int kmemleak_report(void)
{
	const char *path = "/sys/kernel/debug/kmemleak";
	char line[512];
	int leaks = 0;
	FILE *f;

	if (access(path, W_OK))
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		f = fopen(path, "w");
		if (!f)
			return 0;
		fputs("scan", f);
		fclose(f);
		if (!pass)
			sleep(6);	/* kmemleak's minimum object age is 5 s */
	}
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		fputs(line, stdout);
		if (!strncmp(line, "unreferenced object", 19))
			leaks++;
	}
	fclose(f);
	return leaks;
}

static void power_off(int code)
{
	sync();
	/* isa-debug-exit: QEMU exits with (code << 1) | 1 */
	if (!ioperm(DEBUG_EXIT_PORT, 4, 1))
		outl(code, DEBUG_EXIT_PORT);
	/* No such device (e.g. another VMM): reboot, which -no-reboot ends. */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

int main(void)
{
	unsigned int timeout_s = 300;
	long taint_before, taint_after;
	double up_start, up_end;
	unsigned long long busy0, idle0, busy1, idle1;
	int leaks;
	char *only, *tmo, *gcov, *retry, *jobs, *lava;
	FILE *res;
	const char *res_path;
	int failures, run_mode;

	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("devtmpfs", "/dev", "devtmpfs");
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs");
	mount_fs("tmpfs", "/tmp", "tmpfs");
	mount_fs("tmpfs", "/run", "tmpfs");
	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("PATH", "/tests:/bin", 1);

	only = cmdline_get("zcrx.tests");
	tmo = cmdline_get("zcrx.timeout");
	gcov = cmdline_get("zcrx.gcov");
	/* zcrx.retry=0: no retry of failed cases (suite-runner.c) */
	retry = cmdline_get("zcrx.retry");
	if (retry)
		setenv("ZCRX_RETRY", retry, 1);
	/* zcrx.jobs=N: shared binaries at once; zcrx.lava=1: a console line
	 * per case for a LAVA monitor (suite-runner.c)
	 */
	jobs = cmdline_get("zcrx.jobs");
	if (jobs)
		setenv("ZCRX_JOBS", jobs, 1);
	lava = cmdline_get("zcrx.lava");
	if (lava)
		setenv("ZCRX_LAVA", lava, 1);
	if (tmo && atoi(tmo) > 0)
		timeout_s = atoi(tmo);

	run_mode = !access(RUN_DIR "/mode", R_OK);
	/* the network comes up beside the suite's local binaries (net-start.c) */
	net_start(stdout, only, cmdline_get("zcrx.nic_lanes"), !run_mode);
	taint_before = read_long("/proc/sys/kernel/tainted");
	res = open_result_channel(&res_path);
	if (run_mode) {
		int st;

		net_wait(stdout);
		st = run_command(stdout, res);

		if (res)
			fclose(res);
		printf("# init: command done (status %d); powering off\n", st);
		power_off(st < 0 ? EXIT_SUITE_FAIL : EXIT_RUN_DONE);
	}

	suite_net_ready = suite_net_wait;
	up_start = boot_seconds();
	cpu_ticks(&busy0, &idle0);
	if (lava && !strcmp(lava, "1"))
		suite_lava_line("zcrx-lava: start%s%s\n", "", "");
	/* The KTAP goes to the result channel only: a second copy on the
	 * console cost the stock run 0.4 s of UART under TCG
	 * (docs/measurements.md). The console keeps the kernel's log and the
	 * runner's per-case markers. A LAVA job (zcrx.lava=1) reads only the
	 * console (its result channels go nowhere): there the KTAP goes to both.
	 */
	if (lava && !strcmp(lava, "1"))
		failures = run_suite("/tests", only, timeout_s, stdout, res);
	else if (res) {
		printf("# init: the suite's KTAP goes to the result channel (%s, ktap.txt)\n",
		       res_path);
		failures = run_suite("/tests", only, timeout_s, res, NULL);
	} else {
		failures = run_suite("/tests", only, timeout_s, stdout, NULL);
	}
	net_wait(stdout);	/* a suite of local binaries only: the set-up ends here */
	up_end = boot_seconds();
	cpu_ticks(&busy1, &idle1);
	/* where the suite's time went: vCPUs busy, or waiting (docs/measurements.md) */
	printf("# init: suite cpu busy %.2f s, idle %.2f s (%ld vCPUs)\n",
	       (double)(busy1 - busy0) / sysconf(_SC_CLK_TCK),
	       (double)(idle1 - idle0) / sysconf(_SC_CLK_TCK), sysconf(_SC_NPROCESSORS_ONLN));
	leaks = kmemleak_report();
	if (leaks) {
		printf("# init: kmemleak reported %d unreferenced object(s)\n", leaks);
		if (res)
			fprintf(res, "# zcrx-vmtest: kmemleak %d\n", leaks);
		failures++;
	}
	taint_after = read_long("/proc/sys/kernel/tainted");

	if (taint_after != taint_before) {
		printf("# init: kernel taint changed during the suite: %ld -> %ld\n",
		       taint_before, taint_after);
		if (res)
			fprintf(res, "# zcrx-vmtest: taint %ld -> %ld\n", taint_before, taint_after);
		failures++;
	}
	if (res) {
		fprintf(res, "# zcrx-vmtest: uptime suite-start=%.2f suite-end=%.2f\n",
			up_start, up_end);
		fprintf(res, "# zcrx-vmtest: exit=%d\n", failures ? 1 : 0);
		fclose(res);
	}
	if (gcov && !strcmp(gcov, "1"))
		gcov_dump(stdout);
	printf("# init: suite done, %d failure(s); powering off\n", failures);
	if (lava && !strcmp(lava, "1")) {
		/* QEMU's exit drops what the LAVA dispatcher has not read yet
		 * from the console: let the line out, then give it a second
		 */
		suite_lava_line("zcrx-lava: end exit=%s%s\n", failures ? "1" : "0", "");
		tcdrain(STDOUT_FILENO);
		sleep(1);
	}
	power_off(failures ? EXIT_SUITE_FAIL : EXIT_SUITE_PASS);
	return 0;
}
