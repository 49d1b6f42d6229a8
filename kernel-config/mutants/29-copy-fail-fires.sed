# file: io_uring/zcrx.c
# rows: E03,T04
# breaks: a failed (0-byte) copy fires COPY
/ret = io_zcrx_copy_chunk(req, ifq, page, off + skb_frag_off(frag), len);/a\	if (ret <= 0) zcrx_send_notif(ifq, ZCRX_EVENT_COPY);
