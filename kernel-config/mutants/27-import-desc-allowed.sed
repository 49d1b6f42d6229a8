# file: io_uring/zcrx.c
# rows: I03
# breaks: an importer may pass an event descriptor
s/	if (reg->event_desc)$/	if (0 \&\& reg->event_desc)/
