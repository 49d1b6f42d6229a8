# file: io_uring/zcrx.c
# rows: C04
# breaks: ctrl __resv returns EINVAL instead of the merged EFAULT
/if (!mem_is_zero(&ctrl.__resv, sizeof(ctrl.__resv)))/{n;s/-EFAULT/-EINVAL/}
