# file: io_uring/zcrx.c
# rows: T03,E01
# breaks: the copy fallback's destination page ignores rx_buf_len: with 16 KiB buffers, buffer n's copy lands in page n of the area while its CQE points at byte n * 16384
s/^	return area->mem.pages\[net_iov_idx(niov) << niov_pages_shift\];$/	return area->mem.pages[net_iov_idx(niov)];/
