# file: io_uring/zcrx.c
# rows: E04
# breaks: an empty refill ring and freelist never report ALLOC_FAIL
s/zcrx_send_notif(ifq, ZCRX_EVENT_ALLOC_FAIL);/;/
