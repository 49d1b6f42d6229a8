# file: io_uring/zcrx.c
# rows: R21
# breaks: desc flags validation accepts bit 1
s/if (notif.flags & ~ZCRX_EVENT_DESC_FLAG_STATS)/if (notif.flags \& ~3U)/
