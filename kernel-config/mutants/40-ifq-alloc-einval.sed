# file: io_uring/zcrx.c
# rows: R25
# breaks: a failed ifq allocation is reported as -EINVAL instead of -ENOMEM
/^	ifq = io_zcrx_ifq_alloc(ctx);$/,/^		return -ENOMEM;$/s/^		return -ENOMEM;$/		return -EINVAL;/
