# file: io_uring/zcrx.c
# rows: E01
# breaks: a zero-copy net_iov frag fires COPY
/^\tio_zcrx_get_niov_uref(niov);$/a\	zcrx_send_notif(ifq, ZCRX_EVENT_COPY);
