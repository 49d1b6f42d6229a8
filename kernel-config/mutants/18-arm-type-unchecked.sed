# file: io_uring/zcrx.c
# rows: A01
# breaks: arm accepts any event_type (33 aliases COPY after the shift)
s/	if (an->event_type >= __ZCRX_EVENT_TYPE_LAST)/	if (0 \&\& an->event_type >= __ZCRX_EVENT_TYPE_LAST)/
