// SPDX-License-Identifier: GPL-2.0
/* Generic netlink requests from the guest tests; see genl.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "genl.h"

#define NL_TIMEOUT_S	5

struct nlattr *nl_put(struct nlmsg *m, unsigned short type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

void nl_nest_end(struct nlmsg *m, struct nlattr *nest)
{
	nest->nla_len = (char *)m + m->nh.nlmsg_len - (char *)nest;
}

void nl_init(struct nlmsg *m, unsigned short type, unsigned char cmd,
	     unsigned char version)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m->gh.cmd = cmd;
	m->gh.version = version;
}

static void nl_attrs(const struct nlmsghdr *nh, nl_attr_fn fn, void *arg)
{
	const struct nlattr *a = (const void *)((const char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	long rem = (long)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	fn(0, NULL, 0, arg);	/* a new message */
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		fn(a->nla_type & NLA_TYPE_MASK, (const char *)a + NLA_HDRLEN,
		   a->nla_len - NLA_HDRLEN, arg);
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

int nl_transact(struct nlmsg *m, nl_attr_fn fn, void *arg)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, ret = -EIO;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	m->nh.nlmsg_seq = 1;
	if (send(fd, m, m->nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		for (; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != m->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				/* a dump that failed says why in its DONE */
				ret = 0;
				if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&ret, NLMSG_DATA(nh), sizeof(int));
				goto out;
			}
			if (fn && nh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN))
				nl_attrs(nh, fn, arg);
		}
	}
out:
	close(fd);
	return ret;
}

static void family_id_attr(unsigned short type, const void *data, size_t len, void *arg)
{
	if (type == CTRL_ATTR_FAMILY_ID && len >= sizeof(__u16))
		memcpy(arg, data, sizeof(__u16));
}

int genl_family(const char *name)
{
	struct nlmsg m;
	__u16 fid = 0;
	int ret;

	nl_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	nl_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	ret = nl_transact(&m, family_id_attr, &fid);
	if (ret)
		return ret;
	return fid ? fid : -ENOENT;
}
