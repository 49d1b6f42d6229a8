# file: io_uring/query.c
# rows: Q08
# breaks: ZCRX query hides FEATURE_EVENT
s/	e->features = ZCRX_FEATURES;/	e->features = ZCRX_FEATURES \& ~ZCRX_FEATURE_EVENT;/
