# file: io_uring/zcrx.c
# rows: S01
# breaks: stats_offset alignment checked against 4 instead of the struct alignment
s/if (!IS_ALIGNED(stats_off, __alignof__(struct zcrx_stats)))/if (!IS_ALIGNED(stats_off, 4))/
