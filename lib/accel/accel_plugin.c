/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Plug-in loader: a PMD built as a shared object registers its driver from a
 * constructor when it is loaded; the loader watches those registrations and
 * refuses (unloads) a plug-in whose driver ABI does not match. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "accel_private.h"

#define PLUGIN_ENV "SVART_PLUGIN_PATH"
#define PLUGIN_SUFFIX ".so"
#define PLUGIN_PATH_MAX 4096

/* Registrations seen while a plug-in's constructors run. */
static struct {
	bool active;
	int registered;
	int first_error;
} plugin_load_ctx;

void
accel_plugin_note_register(int rc)
{
	if (!plugin_load_ctx.active)
		return;
	if (rc == 0)
		plugin_load_ctx.registered++;
	else if (plugin_load_ctx.first_error == 0)
		plugin_load_ctx.first_error = rc;
}

int
svart_accel_plugin_load(const char *path)
{
	struct stat st;
	void *handle;
	int rc;

	if (path == NULL || path[0] == '\0')
		return -EINVAL;
	if (stat(path, &st) != 0) {
		ACCEL_LOG(ERR, "plug-in '%s' not found", path);
		return -ENOENT;
	}
	handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (handle != NULL) {
		dlclose(handle);
		ACCEL_LOG(ERR, "plug-in '%s' is already loaded", path);
		return -EEXIST;
	}
	plugin_load_ctx.active = true;
	plugin_load_ctx.registered = 0;
	plugin_load_ctx.first_error = 0;
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	plugin_load_ctx.active = false;
	if (handle == NULL) {
		ACCEL_LOG(ERR, "cannot load plug-in '%s': %s", path, dlerror());
		return -ENOEXEC;
	}
	if (plugin_load_ctx.first_error != 0) {
		rc = plugin_load_ctx.first_error;
		ACCEL_LOG(ERR, "plug-in '%s' refused (%s)", path,
			  rc == -EPROTO ? "driver ABI mismatch" : strerror(-rc));
		/* A refused plug-in stays mapped if it registered another driver, so that
		 * driver's pointers remain valid; otherwise it is unloaded. */
		if (plugin_load_ctx.registered == 0)
			dlclose(handle);
		return rc;
	}
	if (plugin_load_ctx.registered == 0) {
		ACCEL_LOG(ERR, "'%s' registered no svart driver (missing SVART_ACCEL_REGISTER_DRIVER?)",
			  path);
		dlclose(handle);
		return -ENOEXEC;
	}
	ACCEL_LOG(INFO, "loaded plug-in '%s' (%d driver(s))", path, plugin_load_ctx.registered);
	return plugin_load_ctx.registered;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
svart_accel_plugin_load_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int loaded = 0, first_err = 0;
	DIR *d;

	if (dir == NULL || dir[0] == '\0')
		return -EINVAL;
	d = opendir(dir);
	if (d == NULL) {
		int err = errno;

		ACCEL_LOG(ERR, "cannot open plug-in directory '%s': %s", dir, strerror(err));
		return err == ENOTDIR || err == EACCES ? -err : -ENOENT;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= strlen(PLUGIN_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(PLUGIN_SUFFIX), PLUGIN_SUFFIX) != 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 8) * sizeof(*names));

			if (nn == NULL)
				break;
			names = nn;
			cap = cap ? cap * 2 : 8;
		}
		names[n] = strdup(de->d_name);
		if (names[n] != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[PLUGIN_PATH_MAX];
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = svart_accel_plugin_load(path);
		if (rc > 0)
			loaded++;
		else if (first_err == 0)
			first_err = rc;
		free(names[i]);
	}
	free(names);
	return first_err != 0 ? first_err : loaded;
}

static pthread_once_t plugin_env_once = PTHREAD_ONCE_INIT;

static void
plugins_load_env_once(void)
{
	const char *env = getenv(PLUGIN_ENV);
	char *copy, *save = NULL;
	struct stat st;

	if (env == NULL || env[0] == '\0')
		return;
	copy = strdup(env);
	if (copy == NULL)
		return;
	for (char *tok = strtok_r(copy, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		if (stat(tok, &st) == 0 && S_ISDIR(st.st_mode))
			(void)svart_accel_plugin_load_dir(tok);
		else
			(void)svart_accel_plugin_load(tok);
	}
	free(copy);
}

void
accel_plugins_load_env(void)
{
	pthread_once(&plugin_env_once, plugins_load_env_once);
}
