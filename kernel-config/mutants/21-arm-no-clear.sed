# file: io_uring/zcrx.c
# rows: A04,E08
# breaks: arm returns 0 but leaves the fired bit set
s/	zcrx->fired_notifs &= ~type_mask;/	zcrx->fired_notifs \&= ~0U;/
