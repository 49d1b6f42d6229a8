# file: io_uring/zcrx.c
# rows: E09
# breaks: the fired bit is set before the event's io_kiocb is allocated: a failed GFP_ATOMIC allocation loses the event and suppresses every later one until re-armed
/^	ifq->fired_notifs |= type_mask;$/d
s/^	req = kmem_cache_alloc(req_cachep, gfp);$/	ifq->fired_notifs |= type_mask;\n&/
