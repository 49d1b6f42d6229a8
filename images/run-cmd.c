// SPDX-License-Identifier: GPL-2.0
/*
 * make vm-run / make vm-shell: instead of the suite, run one command (or a
 * shell) as root in the Debian guest image, and report its exit status.
 *
 * The host appends RUN_DIR to the initramfs (host-scripts/vm-run.sh):
 *   mode   "cmd" (bash -c CMD, stdin /dev/null) or "shell" (bash on the tty)
 *   cmd    the command, for mode cmd
 *   share  the host directory shared over virtiofs (tag RUN_SHARE_TAG),
 *          mounted at the same path; empty: none
 *   cwd    where the command starts (under share, or /root)
 *   term   TERM of the host; tty: "1" when the host's stdin is a terminal
 * The image (virtio-blk, RUN_IMAGE_DEV) is mounted read-only under a tmpfs
 * overlay, so the guest writes anywhere without touching the image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

#define NEWROOT	"/newroot"

/* Contents of RUN_DIR/@name without a trailing newline (malloc'd), "" when
 * there is no such file, NULL when it cannot be read whole.
 */
static char *run_file(const char *name)
{
	char path[128], *buf;
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strdup("");
	buf = fstat(fd, &st) ? NULL : malloc(st.st_size + 1);
	n = buf ? read(fd, buf, st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static int mnt(const char *src, const char *dst, const char *type,
	       unsigned long flags, const char *data, FILE *log)
{
	mkdir(dst, 0755);
	if (!mount(src, dst, type, flags, data))
		return 0;
	fprintf(log, "# run: mount %s (%s) on %s: %s\n", src, type ? type : "bind",
		dst, strerror(errno));
	return -1;
}

/* mkdir -p @path (absolute). */
static void mkdirs(const char *path)
{
	char buf[4200];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

/* The image under a tmpfs overlay at NEWROOT, with the pseudo file systems,
 * the host share and /run (the remote netns) inside. 0 or -1 (logged).
 */
static int make_root(const char *share, FILE *log)
{
	char path[4200];

	if (mnt(RUN_IMAGE_DEV, "/image", "erofs", MS_RDONLY, NULL, log) ||
	    mnt("tmpfs", "/rw", "tmpfs", 0, "mode=0755", log))
		return -1;
	mkdir("/rw/upper", 0755);
	mkdir("/rw/work", 0755);
	if (mnt("overlay", NEWROOT, "overlay", 0,
		"lowerdir=/image,upperdir=/rw/upper,workdir=/rw/work", log) ||
	    mnt("proc", NEWROOT "/proc", "proc", 0, NULL, log) ||
	    mnt("sysfs", NEWROOT "/sys", "sysfs", 0, NULL, log) ||
	    mnt("devtmpfs", NEWROOT "/dev", "devtmpfs", 0, NULL, log) ||
	    mnt("tmpfs", NEWROOT "/tmp", "tmpfs", 0, "mode=1777", log) ||
	    mnt("/run", NEWROOT "/run", NULL, MS_BIND | MS_REC, NULL, log))
		return -1;
	/* what udev would make: bash reads a piped script from /dev/stdin */
	symlink("/proc/self/fd", NEWROOT "/dev/fd");
	symlink("/proc/self/fd/0", NEWROOT "/dev/stdin");
	symlink("/proc/self/fd/1", NEWROOT "/dev/stdout");
	symlink("/proc/self/fd/2", NEWROOT "/dev/stderr");
	/* optional: not every kernel has them */
	mkdir(NEWROOT "/dev/pts", 0755);
	mount("devpts", NEWROOT "/dev/pts", "devpts", 0, "newinstance,ptmxmode=0666");
	mount("debugfs", NEWROOT "/sys/kernel/debug", "debugfs", 0, NULL);
	mkdir(NEWROOT "/dev/hugepages", 0755);
	mount("hugetlbfs", NEWROOT "/dev/hugepages", "hugetlbfs", 0, NULL);
	if (*share) {
		snprintf(path, sizeof(path), NEWROOT "%s", share);
		mkdirs(path);
		if (mnt(RUN_SHARE_TAG, path, "virtiofs", 0, NULL, log))
			return -1;
	}
	return 0;
}

/* Make @fd's terminal what the mode needs: for a pipe from the host, no echo
 * and no output translation (the bytes come back as written), canonical
 * input so the host's ^D ends bash's input; for a terminal, a normal tty.
 */
static void set_tty(int fd, bool interactive)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return;
	if (interactive) {
		t.c_lflag |= ICANON | ECHO | ECHOE | ISIG;
		t.c_oflag |= OPOST | ONLCR;
	} else {
		/* a script, byte for byte: no echo, no signals, no flow
		 * control, no line editing; only ^D (VEOF) ends it
		 */
		t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL | ISIG | IEXTEN);
		t.c_lflag |= ICANON;
		t.c_iflag &= ~(IXON | IXOFF);
		t.c_oflag &= ~OPOST;
		t.c_cc[VERASE] = _POSIX_VDISABLE;
		t.c_cc[VKILL] = _POSIX_VDISABLE;
		t.c_cc[VWERASE] = _POSIX_VDISABLE;
		t.c_cc[VREPRINT] = _POSIX_VDISABLE;
		t.c_cc[VLNEXT] = _POSIX_VDISABLE;
	}
	t.c_iflag &= ~(ICRNL | INLCR | IGNCR);
	t.c_iflag |= interactive ? ICRNL : 0;
	tcsetattr(fd, TCSANOW, &t);
}

static void child(const char *mode, const char *cmd, const char *cwd,
		  const char *term, bool interactive)
{
	int tty, in;

	setsid();
	tty = open(RUN_TTY, O_RDWR | O_NOCTTY);
	if (tty < 0)
		_exit(125);
	ioctl(tty, TIOCSCTTY, 0);
	set_tty(tty, interactive);
	in = strcmp(mode, "shell") ? open("/dev/null", O_RDONLY) : tty;
	if (in < 0)
		_exit(125);
	if (chroot(NEWROOT) || chdir("/"))
		_exit(125);
	dup2(in, 0);
	dup2(tty, 1);
	dup2(tty, 2);
	if (tty > 2)
		close(tty);
	if (in > 2)
		close(in);
	if (chdir(cwd))
		if (chdir("/root"))
			_exit(125);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", *term ? term : "dumb", 1);
	setenv("SHELL", "/bin/bash", 1);
	setenv("USER", "root", 1);
	/* from a pipe: a script on the tty (bash -s on a tty is interactive) */
	if (!strcmp(mode, "shell") && interactive)
		execl("/bin/bash", "bash", "-i", (char *)NULL);
	else if (!strcmp(mode, "shell"))
		execl("/bin/bash", "bash", "/dev/stdin", (char *)NULL);
	else
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
	_exit(127);
}

int run_command(FILE *log, FILE *res)
{
	char *mode = run_file("mode"), *cmd = run_file("cmd"), *share = run_file("share");
	char *cwd = run_file("cwd"), *term = run_file("term"), *tty = run_file("tty");
	int status = 0, ret = 125, tty_fd;
	pid_t pid;

	if (!mode || !cmd || !share || !cwd || !term || !tty) {
		fprintf(log, "# run: " RUN_DIR " could not be read\n");
		if (res)
			fprintf(res, "# zcrx-vmtest: run-setup-failed\n");
		return -1;
	}
	sethostname("zcrx-guest", strlen("zcrx-guest"));
	if (make_root(share, log)) {
		fprintf(log, "# run: the guest image could not be set up\n");
		if (res)
			fprintf(res, "# zcrx-vmtest: run-setup-failed\n");
		return -1;
	}
	/* the port stays open here: the child's open does not reset it, so
	 * what the host sends after run-ready is not lost
	 */
	tty_fd = open(RUN_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty_fd >= 0)
		set_tty(tty_fd, !strcmp(tty, "1"));
	if (res) {
		fprintf(res, "# zcrx-vmtest: run-ready\n");
		fflush(res);
	}
	pid = fork();
	if (pid == 0)
		child(mode, cmd, *cwd ? cwd : "/root", term, !strcmp(tty, "1"));
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		fprintf(log, "# run: fork/wait: %s\n", strerror(errno));
	} else if (WIFEXITED(status)) {
		ret = WEXITSTATUS(status);
		if (res)
			fprintf(res, "# zcrx-vmtest: run-exit=%d\n", ret);
	} else if (WIFSIGNALED(status)) {
		ret = 128 + WTERMSIG(status);
		if (res)
			fprintf(res, "# zcrx-vmtest: run-signal=%d\n", WTERMSIG(status));
	}
	/* the command's last bytes reach the host before the power-off */
	if (tty_fd >= 0) {
		tcdrain(tty_fd);
		close(tty_fd);
	}
	sync();
	return ret;
}
