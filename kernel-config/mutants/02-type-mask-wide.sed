# file: io_uring/zcrx.c
# rows: R19
# breaks: type_mask validation accepts bit 2
s/if (notif.type_mask & ~ZCRX_EVENT_TYPE_MASK)/if (notif.type_mask \& ~7U)/
