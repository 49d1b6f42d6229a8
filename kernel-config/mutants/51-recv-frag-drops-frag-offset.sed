# file: io_uring/zcrx.c
# rows: T04
# breaks: a zero-copy CQE points at the start of the frag's buffer instead of the frag's offset inside it: invisible while the NIC puts every payload at offset 0, wrong data once it packs
s/io_zcrx_queue_cqe(req, niov, ifq, off + skb_frag_off(frag), len)/io_zcrx_queue_cqe(req, niov, ifq, off, len)/
