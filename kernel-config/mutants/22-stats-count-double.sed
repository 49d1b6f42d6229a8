# file: io_uring/zcrx.c
# rows: T03,T11
# breaks: copy_count incremented by 2 per frag copy
s/zcrx_stat_add(&ifq->notif_stats->copy_count, 1);/zcrx_stat_add(\&ifq->notif_stats->copy_count, 2);/
