# file: io_uring/zcrx.c
# rows: A02
# breaks: last arm __resv word not checked
s/	if (!mem_is_zero(&an->__resv, sizeof(an->__resv)))/	if (!mem_is_zero(\&an->__resv, sizeof(an->__resv) - 4))/
