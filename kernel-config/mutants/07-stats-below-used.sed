# file: io_uring/zcrx.c
# rows: S02
# breaks: stats may overlap the last refill-ring entry
s/	if (stats_off < used)$/	if (stats_off < used - 8)/
