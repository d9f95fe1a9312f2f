/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_IOMMU_MAPS_H
#define SVART_EMU_IOMMU_MAPS_H

/* The emulated IOMMU's view of the process's mappings: a cached, sorted copy
 * of /proc/self/maps (the permission half of its page-table walk; pagemap
 * gives presence). Internal to emu_iommu.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_vma {
	uint64_t start, end;
	bool r, w;
};

/* Cached copy of the process's mappings, sorted by address. */
struct emu_vma_cache {
	struct emu_vma *v;
	size_t n, cap;
	char *buf;
	size_t buf_cap;
	size_t mru;
};

/** 0 or -ENOMEM. */
int emu_maps_init(struct emu_vma_cache *m);
void emu_maps_fini(struct emu_vma_cache *m);
/** Forget the cached mappings: the next lookup reads them again. */
static inline void
emu_maps_forget(struct emu_vma_cache *m)
{
	m->n = 0;
}
/** The mapping holding va that allows the access, or NULL; re-reads the
 * mappings at most once per walk (*reloaded) when the cache does not say yes. */
const struct emu_vma *emu_maps_lookup(struct emu_vma_cache *m, uint64_t va, bool write, bool *reloaded);

#endif /* SVART_EMU_IOMMU_MAPS_H */
