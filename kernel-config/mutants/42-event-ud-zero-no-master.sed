# file: io_uring/zcrx.c
# rows: E10,R24
# breaks: a descriptor with user_data 0 is taken as "no events": the ring never becomes master_ctx, so no event CQE is ever posted
s/^	if (notif.type_mask)$/	if (notif.type_mask \&\& notif.user_data)/
