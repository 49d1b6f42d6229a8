// SPDX-License-Identifier: GPL-2.0
/* The NIC profile named by NIC_PROFILE; see nic_profile.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic_profile.h"

#define PROFILE_MAX_KEYS	64

static struct {
	int loaded;
	unsigned int n;
	char *key[PROFILE_MAX_KEYS], *val[PROFILE_MAX_KEYS];
} prof;

static void profile_load(void)
{
	const char *path = getenv("NIC_PROFILE");
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (prof.loaded)
		return;
	prof.loaded = 1;
	if (!path || !*path)
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0 && prof.n < PROFILE_MAX_KEYS) {
		char *eq;

		line[strcspn(line, "\n")] = '\0';
		eq = strchr(line, '=');
		if (line[0] == '#' || !eq || eq == line)
			continue;
		*eq = '\0';
		prof.key[prof.n] = strdup(line);
		prof.val[prof.n] = strdup(eq + 1);
		if (prof.key[prof.n] && prof.val[prof.n])
			prof.n++;
	}
	free(line);
	fclose(f);
}

const char *nic_profile(const char *key)
{
	profile_load();
	/* the last one wins, as when bash sources the file */
	for (unsigned int i = prof.n; i-- > 0;)
		if (!strcmp(prof.key[i], key))
			return prof.val[i];
	return NULL;
}

const char *nic_profile_driver(void)
{
	const char *d = nic_profile("DRIVER");

	return d && *d ? d : "an unknown driver";
}

int nic_profile_int(const char *key, unsigned int *v)
{
	const char *s = nic_profile(key);
	unsigned long n;
	char *end;

	if (!s || !*s)
		return -ENOENT;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || !n || n > 0x7fffffffUL || *s == '-')
		return -EINVAL;
	*v = (unsigned int)n;
	return 0;
}

static const char *no_profile(void)
{
	static char why[256];

	snprintf(why, sizeof(why), "NIC profile: none for this NIC (NIC_PROFILE %s)",
		 getenv("NIC_PROFILE") && *getenv("NIC_PROFILE") ? "unreadable" : "unset");
	return why;
}

const char *nic_profile_missing_int(const char *key, unsigned int *v)
{
	static char why[256];
	int r;

	profile_load();
	if (!prof.n)
		return no_profile();
	r = nic_profile_int(key, v);
	if (!r)
		return NULL;
	snprintf(why, sizeof(why), "NIC profile of %s %s %s", nic_profile_driver(),
		 r == -ENOENT ? "has no" : "has a bad (not a positive integer)", key);
	return why;
}

const char *nic_profile_missing_is(const char *key, const char *want)
{
	static char why[256];
	const char *s;

	profile_load();
	if (!prof.n)
		return no_profile();
	s = nic_profile(key);
	if (s && !strcmp(s, want))
		return NULL;
	snprintf(why, sizeof(why), "NIC profile of %s: %s is %s, the case needs %s",
		 nic_profile_driver(), key, s && *s ? s : "unset", want);
	return why;
}
