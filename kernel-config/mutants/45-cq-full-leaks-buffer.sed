# file: io_uring/zcrx.c
# rows: E03,C09
# breaks: when the CQ is full mid-copy the chunk's freshly filled buffer is not returned to the freelist: the area loses a buffer for good
/if (!io_zcrx_queue_cqe(req, niov, ifq, 0, n)) {/{n;/io_zcrx_return_niov(niov);/d}
