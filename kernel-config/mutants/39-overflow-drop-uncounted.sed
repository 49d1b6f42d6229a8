# file: io_uring/io_uring.c
# rows: E16
# breaks: a CQE dropped because its overflow entry cannot be allocated is not counted in cq_overflow
s/^		WRITE_ONCE(r->cq_overflow, READ_ONCE(r->cq_overflow) + 1);$/		;/
