# file: io_uring/zcrx.c
# rows: I06,E12,E17,T10
# breaks: freeing a ring's ctx scrubs an ifq that another ring still uses (inverted user_refs test): buffers its user holds are taken back behind its back
s/^		if (refcount_read(&ifq->user_refs) == 0)$/		if (refcount_read(\&ifq->user_refs) != 0)/
