# file: io_uring/zcrx.c
# rows: E10
# breaks: event CQE posted with IORING_CQE_F_NOTIF
s/	io_post_aux_cqe(ctx, req->cqe.user_data, req->cqe.res, 0);/	io_post_aux_cqe(ctx, req->cqe.user_data, req->cqe.res, IORING_CQE_F_NOTIF);/
