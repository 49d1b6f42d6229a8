/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NIC profile: what the NIC cases may assume about the driver of the
 * NIC under test (ring sizes it accepts, how fast it retries a refill,
 * whether it can be made to pack frames, ...). Drivers are data: one file
 * per driver in vm/nic-profiles/, KEY=VALUE lines, named by NIC_PROFILE
 * (the guest's /init sets it for the patched netdevsim; make hw-test for
 * the runner's NIC). A case whose assumption the profile cannot meet
 * skips, naming the key (NIC_NEED_INT / NIC_NEED_STR).
 */
#ifndef NIC_PROFILE_H
#define NIC_PROFILE_H

/* The value of @key, or NULL (no profile, or no such key). */
const char *nic_profile(const char *key);
/* The driver the profile is for ("DRIVER"), or "an unknown driver". */
const char *nic_profile_driver(void);
/* @key as a positive integer into @v: 0, or -ENOENT (absent) or -EINVAL. */
int nic_profile_int(const char *key, unsigned int *v);
/* NULL when @key is a positive integer (stored in @v), else why not. */
const char *nic_profile_missing_int(const char *key, unsigned int *v);
/* NULL when @key equals @want, else why not. */
const char *nic_profile_missing_is(const char *key, const char *want);

/* Skip the case unless the profile has @key as an integer, into @v. */
#define NIC_NEED_INT(key, v)	REQUIRE(nic_profile_missing_int(key, v))
/* Skip the case unless the profile has @key = @want. */
#define NIC_NEED_IS(key, want)	REQUIRE(nic_profile_missing_is(key, want))

/* The profile's @key as an integer, or skip the case (a GNU statement
 * expression: usable in a test body where a value is wanted).
 */
#define NIC_PROFILE_INT(key) ({						\
	unsigned int __pv = 0;						\
	NIC_NEED_INT(key, &__pv);					\
	__pv;								\
})

#endif
