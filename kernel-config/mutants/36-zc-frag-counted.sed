# file: io_uring/zcrx.c
# rows: T04
# breaks: zero-copy net_iov frags bump copy_bytes
/^\tio_zcrx_get_niov_uref(niov);$/a\	if (ifq->notif_stats) zcrx_stat_add(&ifq->notif_stats->copy_bytes, len);
