# file: io_uring/zcrx.c
# rows: C09
# breaks: FLUSH_RQ checks its payload __resv only after flushing: a refused FLUSH_RQ (EINVAL) has already consumed the refill ring and returned the buffers
/^static int zcrx_flush_rq(/,/^}/{
/^	if (!mem_is_zero(&frq->__resv, sizeof(frq->__resv)))$/{N;d}
s/^	return 0;$/	if (!mem_is_zero(\&frq->__resv, sizeof(frq->__resv)))\n\t\treturn -EINVAL;\n\treturn 0;/
}
