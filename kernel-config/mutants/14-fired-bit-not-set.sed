# file: io_uring/zcrx.c
# rows: A04,E08
# breaks: fired bit never recorded
s/	ifq->fired_notifs |= type_mask;/	ifq->fired_notifs |= 0;/
