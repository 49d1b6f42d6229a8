# file: io_uring/zcrx.c
# rows: A03,A05
# breaks: arm succeeds although the type never fired
s/	if (type_mask & ~zcrx->fired_notifs)$/	if (0 \&\& (type_mask \& ~zcrx->fired_notifs))/
