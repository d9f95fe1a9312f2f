/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_SVA_PRIVATE_H
#define SVART_SVA_PRIVATE_H

#include <stdbool.h>

#include "svart_accel_driver.h"

/** Bind dev to a new PASID (the class library's implicit bind at start). */
int sva_dev_bind(struct svart_accel_dev *dev, bool implicit);
/** Unbind; wait=true frees the PASID, false quarantines it. */
int sva_dev_unbind(struct svart_accel_dev *dev, bool wait);

#endif /* SVART_SVA_PRIVATE_H */
