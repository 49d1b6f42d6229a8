# file: io_uring/zcrx.c
# rows: E17,A08
# breaks: master_ctx not cleared when the creator ring goes away
s/		if (ctx && ifq->master_ctx == ctx) {/		if (0 \&\& ctx \&\& ifq->master_ctx == ctx) {/
