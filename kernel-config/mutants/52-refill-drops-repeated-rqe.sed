# file: io_uring/zcrx.c
# rows: T04
# breaks: consecutive refill entries for the same buffer are merged but not counted: a buffer returned in several pieces keeps user and pool references for ever, and the area drains once the NIC packs payloads
s/^			niov_refs++;$/			continue;/
