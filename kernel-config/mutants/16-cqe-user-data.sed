# file: io_uring/zcrx.c
# rows: E10
# breaks: event CQE user_data not the descriptor user_data
s/	req->cqe.user_data = ifq->notif_data;/	req->cqe.user_data = 0;/
