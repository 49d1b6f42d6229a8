# file: io_uring/query.c
# rows: Q07,S01
# breaks: stats_off_alignment reported as 16
s/	e->stats_off_alignment = __alignof__(struct zcrx_stats);/	e->stats_off_alignment = 16;/
