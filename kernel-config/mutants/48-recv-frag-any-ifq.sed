# file: io_uring/zcrx.c
# rows: E03
# breaks: a net_iov frag is accepted whatever ifq its page pool belongs to: a flow steered to another ifq's queue is delivered as CQEs that point into the wrong area instead of ending with -EFAULT
s/^	if (!pp || pp->mp_ops != &io_uring_pp_zc_ops || io_pp_to_ifq(pp) != ifq)$/	if (!pp || pp->mp_ops != \&io_uring_pp_zc_ops)/
