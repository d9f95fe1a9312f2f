/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_ACCEL_PRIVATE_H
#define SVART_ACCEL_PRIVATE_H

#include <rte_log.h>

#include "svart_accel_driver.h"

extern int svart_accel_logtype;

#define ACCEL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, svart_accel_logtype, "svart_accel: " fmt "\n", ## __VA_ARGS__)

/** Driver lookup for probe: longest registered name prefixing devname. */
const struct svart_accel_driver *accel_driver_find(const char *devname);

/** Load plug-ins named by SVART_PLUGIN_PATH, once. */
void accel_plugins_load_env(void);

/** Plug-in registration bookkeeping (see accel_plugin.c). */
void accel_plugin_note_register(int rc);

#endif /* SVART_ACCEL_PRIVATE_H */
