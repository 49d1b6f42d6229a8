# file: io_uring/zcrx.c
# rows: R17
# breaks: event_desc copied short: only 24 of 96 bytes read
/if (reg.event_desc && copy_from_user(&notif/{n;s/sizeof(notif)))/24))/}
