# file: io_uring/zcrx.c
# rows: S07
# breaks: stats ending exactly at the region end refused
s/	if (end > io_region_size(&ifq->rq_region))/	if (end >= io_region_size(\&ifq->rq_region))/
