# file: io_uring/zcrx.c
# rows: E06
# breaks: events fire for types not in type_mask
s/	if (!(type_mask & ifq->allowed_notif_mask))/	if (0 \&\& !(type_mask \& ifq->allowed_notif_mask))/
