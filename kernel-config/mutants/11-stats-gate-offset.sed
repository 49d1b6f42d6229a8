# file: io_uring/zcrx.c
# rows: S09
# breaks: stats placement validated only when stats_offset != 0
s/	if (notif.flags & ZCRX_EVENT_DESC_FLAG_STATS) {/	if (notif.stats_offset) {/
