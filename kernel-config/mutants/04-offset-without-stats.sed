# file: io_uring/zcrx.c
# rows: R22
# breaks: stats_offset without the STATS flag silently ignored (v1 behaviour)
s/		if (notif.stats_offset)$/		if (0 \&\& notif.stats_offset)/
