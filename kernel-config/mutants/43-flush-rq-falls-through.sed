# file: io_uring/zcrx.c
# rows: C09
# breaks: FLUSH_RQ's result is dropped and the switch falls through into EXPORT: every flush also exports a [zcrx] fd that keeps the ifq alive
s/^		return zcrx_flush_rq(ctx, zcrx, &ctrl);$/		zcrx_flush_rq(ctx, zcrx, \&ctrl);/
