# file: io_uring/zcrx.c
# rows: S10,T02
# breaks: only copy_count zeroed at registration
s/memset(ifq->notif_stats, 0, sizeof(\*ifq->notif_stats));/memset(ifq->notif_stats, 0, 8);/
