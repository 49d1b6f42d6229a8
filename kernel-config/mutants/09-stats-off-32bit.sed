# file: io_uring/zcrx.c
# rows: S08
# breaks: stats_offset truncated to 32 bits (the 32-bit kernel hazard)
s/	size_t stats_off = notif->stats_offset;/	u32 stats_off = notif->stats_offset;/
