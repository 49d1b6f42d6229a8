# file: io_uring/query.c
# rows: Q07
# breaks: ZCRX_EVENT query reports only ALLOC_FAIL
s/	e->event_flags = ZCRX_EVENT_TYPE_MASK;/	e->event_flags = 1;/
