# file: io_uring/zcrx.c
# rows: A04,E08
# breaks: arming one type clears the fired bits of all types: arming COPY re-arms ALLOC_FAIL behind the application's back, and a still-starved queue fires it again at once
s/^	zcrx->fired_notifs &= ~type_mask;$/	zcrx->fired_notifs = 0;/
