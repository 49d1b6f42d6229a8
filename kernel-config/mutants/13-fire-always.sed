# file: io_uring/zcrx.c
# rows: E08
# breaks: no fire-once: every occurrence posts a CQE
s/	if (type_mask & ifq->fired_notifs)$/	if (0 \&\& (type_mask \& ifq->fired_notifs))/
