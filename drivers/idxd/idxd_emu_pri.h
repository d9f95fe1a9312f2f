/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_EMU_PRI_H
#define SVART_IDXD_EMU_PRI_H

/* The emulated IOMMU's page requests as the fault service takes them: what
 * the idxd_emu transport's page-request source delivers (and the
 * micro-benchmarks' source over a bare emulated IOMMU). */

#include <stdint.h>

#include "emu_iommu.h"
#include "svart_iopf.h"

/** Convert n emulated page requests into fault-service requests. */
static inline void
idxd_emu_pri_to_iopf(const struct emu_page_req *r, struct svart_iopf_req *reqs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		reqs[i].pasid = r[i].pasid;
		reqs[i].group = r[i].prg;
		reqs[i].write = (r[i].perm & EMU_PRI_PERM_WRITE) != 0;
		reqs[i].last = r[i].last;
		reqs[i].addr = r[i].addr;
	}
}

#endif /* SVART_IDXD_EMU_PRI_H */
