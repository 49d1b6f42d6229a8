// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-sender: the NIC cases' TCP sender as a program, for a peer reached
 * over ssh (make hw-test with REMOTE_TYPE=ssh deploys it there, as the
 * kernel selftests' remote.deploy() does). See remote_sender_main().
 *   usage: LOCAL_V4=A LOCAL_V6=B zcrx-sender 4|6 PORT LEN SEED CHUNK SNDBUF
 */
#include <stdio.h>

#include "nic_lib.h"

int main(int argc, char **argv)
{
	int r = remote_sender_main(argc, argv);

	if (r == 2)
		fprintf(stderr, "usage: LOCAL_V4=A LOCAL_V6=B zcrx-sender 4|6 PORT LEN SEED CHUNK SNDBUF\n");
	return r;
}
