# file: io_uring/zcrx.c
# rows: T04
# breaks: copies of the skb linear head are counted in the stats
/copied = io_zcrx_copy_chunk(req, ifq, virt_to_page(skb->data),/i\		if (ifq->notif_stats) zcrx_stat_add(\&ifq->notif_stats->copy_count, 1);
