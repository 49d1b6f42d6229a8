# file: io_uring/zcrx.c
# rows: E10
# breaks: event CQE res carries the v1 mask instead of the type index
s/	req->cqe.res = type;/	req->cqe.res = type_mask;/
