# file: io_uring/zcrx.c
# rows: R28,S01,S02
# breaks: a registration refused by the stats placement check jumps past the xa_erase: its preallocated zcrx id stays reserved, the next registration gets the id after it
/ret = zcrx_validate_notif_stats(ifq, &reg, &notif);/,/goto err;/s/goto err;/goto ifq_free;/
