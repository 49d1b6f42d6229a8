# file: io_uring/query.c
# rows: Q07
# breaks: ZCRX_EVENT query leaks caller bytes in __resv2
s/	memset(&e->__resv2, 0, sizeof(e->__resv2));/	(void)e->__resv2;/
