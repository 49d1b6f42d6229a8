# file: io_uring/query.c
# rows: Q01
# breaks: IORING_REGISTER_QUERY accepts nr_args != 0
s/	if (nr_args)$/	if (0 \&\& nr_args)/
