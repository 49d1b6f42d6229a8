# file: io_uring/zcrx.c
# rows: T03,T11
# breaks: copy_bytes misses one byte per copy
s/zcrx_stat_add(&ifq->notif_stats->copy_bytes, ret);/zcrx_stat_add(\&ifq->notif_stats->copy_bytes, ret - 1);/
