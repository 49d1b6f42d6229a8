# file: io_uring/zcrx.c
# rows: R23
# breaks: last __resv2 word not checked
s/if (!mem_is_zero(&notif.__resv2, sizeof(notif.__resv2)))/if (!mem_is_zero(\&notif.__resv2, sizeof(notif.__resv2) - 8))/
