# file: io_uring/zcrx.c
# rows: C11,E04
# breaks: the page pool's slow refill looks at the first area only: buffers of an area added with ADD_AREA never reach the NIC queue, which stays starved
s/^			if (area_idx >= ifq->nr_areas)$/			if (area_idx >= 1)/
