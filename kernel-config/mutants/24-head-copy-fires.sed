# file: io_uring/zcrx.c
# rows: E02
# breaks: copies of the skb linear head fire COPY
/copied = io_zcrx_copy_chunk(req, ifq, virt_to_page(skb->data),/i\		zcrx_send_notif(ifq, ZCRX_EVENT_COPY);
