// SPDX-License-Identifier: GPL-2.0
/*
 * The NIC test helpers (nic_lib) against the NIC under test: each setting
 * is written, read back through the kernel's own report and restored, and
 * one stream crosses the pair from the remote netns. These establish no
 * spec row; they make sure a failing NIC test later fails for zcrx, not
 * for a helper that never reached the driver. Skips on virtio-net.
 */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zcrx_lib.h"
#include "nic_lib.h"

/* queue count and RSS table size: the NIC profile's QUEUES, RSS_TABLE_SIZE */
#define FLOW_PORT	5201

TEST(hds_roundtrip)
{
	const char *nic = nic_name();
	unsigned int thresh0, thresh;
	int split0, split;

	REQUIRE(zcrx_nic_missing());
	ASSERT_EQ(0, nic_get_hds(nic, &split0, &thresh0));

	ASSERT_EQ(0, nic_set_hds(nic, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 256));
	ASSERT_EQ(0, nic_get_hds(nic, &split, &thresh));
	EXPECT_EQ(ETHTOOL_TCP_DATA_SPLIT_DISABLED, split) TH_LOG("tcp-data-split off, read back");
	EXPECT_EQ(256U, thresh) TH_LOG("hds-thresh 256, read back");

	ASSERT_EQ(0, nic_set_hds(nic, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0));
	ASSERT_EQ(0, nic_get_hds(nic, &split, &thresh));
	EXPECT_EQ(ETHTOOL_TCP_DATA_SPLIT_ENABLED, split) TH_LOG("tcp-data-split on, read back");
	EXPECT_EQ(0U, thresh) TH_LOG("hds-thresh 0, read back");

	/* leaving hds-thresh out must keep it */
	ASSERT_EQ(0, nic_set_hds(nic, -1, 128));
	ASSERT_EQ(0, nic_set_hds(nic, ETHTOOL_TCP_DATA_SPLIT_ENABLED, -1));
	ASSERT_EQ(0, nic_get_hds(nic, NULL, &thresh));
	EXPECT_EQ(128U, thresh) TH_LOG("an absent HDS_THRESH attribute changes nothing");

	/* netdevsim reports "unknown" as enabled, so restoring what was read
	 * may turn unknown into enabled: the same behaviour on its rx path
	 */
	EXPECT_EQ(0, nic_set_hds(nic, split0, (int)thresh0));
}

TEST(rx_ring_roundtrip)
{
	const char *nic = nic_name();
	unsigned int pending0, max, pending, want;

	REQUIRE(zcrx_nic_missing());
	ASSERT_EQ(0, nic_get_rx_ring(nic, &pending0, &max));
	/* a size other than the current one: a set that changes something */
	want = pending0 == 64 ? 128 : 64;
	ASSERT_LE(want, max) TH_LOG("rx_max_pending %u", max);
	ASSERT_EQ(0, nic_set_rx_ring(nic, want));
	ASSERT_EQ(0, nic_get_rx_ring(nic, &pending, NULL));
	EXPECT_EQ(want, pending) TH_LOG("rx ring %u, read back", want);
	EXPECT_EQ(-EINVAL, nic_set_rx_ring(nic, max + 1))
		TH_LOG("a ring above rx_max_pending %u is refused by the core", max);
	EXPECT_EQ(0, nic_set_rx_ring(nic, pending0));
	ASSERT_EQ(0, nic_get_rx_ring(nic, &pending, NULL));
	EXPECT_EQ(pending0, pending) TH_LOG("rx ring restored");
}

TEST(flow_rule_add_del)
{
	const char *nic = nic_name();
	unsigned int n0, n, loc = ~0U;

	REQUIRE(zcrx_nic_missing());
	ASSERT_EQ(0, nic_flow_count(nic, &n0));
	ASSERT_EQ(0, nic_flow_add(nic, AF_INET6, IPPROTO_TCP, FLOW_PORT, 1, &loc))
		TH_LOG("tcp6 dst-port %d action 1", FLOW_PORT);
	EXPECT_NE(~0U, loc) TH_LOG("the driver picked a location");
	ASSERT_EQ(0, nic_flow_count(nic, &n));
	EXPECT_EQ(n0 + 1, n) TH_LOG("one rule more after the insert");
	ASSERT_EQ(0, nic_flow_del(nic, loc));
	ASSERT_EQ(0, nic_flow_count(nic, &n));
	EXPECT_EQ(n0, n) TH_LOG("the delete took it away again");
}

TEST(rss_roundtrip)
{
	const char *nic = nic_name();
	unsigned int indir[1024], size, combined, max, bad, queues, v;
	int nq;

	REQUIRE(zcrx_nic_missing());
	queues = NIC_PROFILE_INT("QUEUES");
	nq = nic_rx_queues(nic);
	ASSERT_EQ((int)queues, nq) TH_LOG("rx queues in sysfs: the profile's QUEUES");
	ASSERT_EQ(0, nic_get_channels(nic, &combined, &max));
	EXPECT_EQ((unsigned int)nq, combined) TH_LOG("combined channels == rx queues");
	if (!nic_profile_int("MAX_QUEUES", &v)) {
		EXPECT_EQ(v, max) TH_LOG("max combined channels: the profile's MAX_QUEUES");
	} else {
		EXPECT_LE(queues, max);
	}

	ASSERT_EQ(0, nic_rss_set_all(nic, 1));
	ASSERT_EQ(0, nic_rss_get(nic, indir, 1024, &size));
	if (!nic_profile_int("RSS_TABLE_SIZE", &v)) {
		EXPECT_EQ(v, size) TH_LOG("indirection table size: the profile's RSS_TABLE_SIZE");
	} else {
		EXPECT_LE(queues, size) TH_LOG("indirection table size");
	}
	bad = 0;
	for (unsigned int i = 0; i < size; i++)
		bad += indir[i] != 1;
	EXPECT_EQ(0U, bad) TH_LOG("every entry steers to queue 1");
	EXPECT_EQ(-ENOSPC, nic_rss_get(nic, indir, size - 1, NULL));

	ASSERT_EQ(0, nic_rss_equal(nic, 2));
	ASSERT_EQ(0, nic_rss_get(nic, indir, 1024, &size));
	bad = 0;
	for (unsigned int i = 0; i < size; i++)
		bad += indir[i] != i % 2;
	EXPECT_EQ(0U, bad) TH_LOG("entry i steers to queue i %% 2");

	/* the core fills the default table itself: i % rx ring count */
	ASSERT_EQ(0, nic_rss_reset(nic));
	ASSERT_EQ(0, nic_rss_get(nic, indir, 1024, &size));
	bad = 0;
	for (unsigned int i = 0; i < size; i++)
		bad += indir[i] != i % (unsigned int)nq;
	EXPECT_EQ(0U, bad) TH_LOG("reset: entry i steers to queue i %% %d", nq);
}

FIXTURE(stream) {
	pid_t child;
	int ls, rx;
};

FIXTURE_VARIANT(stream) {
	int family;
};

FIXTURE_VARIANT_ADD(stream, ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(stream, ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(stream)
{
	self->child = -1;
	self->ls = self->rx = -1;
}

FIXTURE_TEARDOWN(stream)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->rx >= 0)
		close(self->rx);
	if (self->ls >= 0)
		close(self->ls);
}

/* remote_sender_spawn to local_listen over the pair: the payload arrives
 * intact and NETIF's rx counters saw it.
 */
TEST_F(stream, remote_sender_roundtrip)
{
	const size_t len = 1 << 20;
	const unsigned int seed = 7;
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	unsigned char buf[16384];
	long long rx0, rx1;
	size_t got = 0, bad = 0;
	uint16_t port;
	ssize_t r;
	int ret;

	REQUIRE(zcrx_nic_missing());
	rx0 = nic_stat(nic_name(), "rx_bytes");
	ASSERT_LE(0, rx0);
	self->ls = local_listen(variant->family, 0);
	ASSERT_LE(0, self->ls) TH_LOG("local_listen: %s", strerror(-self->ls));
	ASSERT_EQ(0, getsockname(self->ls, (void *)&sa, &salen));
	port = ntohs(variant->family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
						: ((struct sockaddr_in6 *)&sa)->sin6_port);

	self->child = remote_sender_spawn(variant->family, port, len, seed, 4096);
	ASSERT_LT(0, self->child);
	self->rx = accept_timeout(self->ls, 10000);
	ASSERT_LE(0, self->rx) TH_LOG("accept: %s", strerror(-self->rx));
	while ((r = read(self->rx, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			bad += buf[i] != pattern_byte(got + i, seed);
		got += r;
	}
	EXPECT_EQ(len, got) TH_LOG("bytes until the sender's FIN");
	EXPECT_EQ(0U, bad) TH_LOG("payload matches the pattern");
	close(self->rx);
	self->rx = -1;
	ret = remote_sender_wait(self->child, 10000);
	EXPECT_EQ(0, ret) TH_LOG("sender wait status 0x%x", remote_sender_status());
	self->child = -1;
	rx1 = nic_stat(nic_name(), "rx_bytes");
	EXPECT_LE(rx0 + (long long)len, rx1) TH_LOG("%s rx_bytes %lld -> %lld", nic_name(), rx0, rx1);
}

TEST_HARNESS_MAIN
