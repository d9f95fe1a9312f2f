/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_MMU_H
#define SVART_EMU_MMU_H

/**
 * @file
 * The emulated device's single translation step. Every device memory
 * access asks here first how many bytes from an address the device may
 * touch with the needed permission. The model consults the process's
 * mappings (/proc/self/maps, cached and re-read on a miss); an access the
 * process itself could not make is refused, and the engine ends the
 * descriptor with a page-fault completion instead of touching memory.
 * The PASID argument is the seam for the PASID table of the SVA issue.
 */

#include <stdbool.h>
#include <stdint.h>

struct emu_mmu;

/** @return a translation context (one per engine), or NULL on ENOMEM. */
struct emu_mmu *emu_mmu_create(void);
void emu_mmu_destroy(struct emu_mmu *m);

/** Bytes at [va, va+len) accessible from va upward, 0..len. */
uint64_t emu_mmu_prefix(struct emu_mmu *m, uint32_t pasid, uint64_t va, uint64_t len, bool write);

/** Bytes at [va, va+len) accessible from va+len downward, 0..len. */
uint64_t emu_mmu_suffix(struct emu_mmu *m, uint32_t pasid, uint64_t va, uint64_t len, bool write);

/** Drop every cached translation (the next access re-reads the mappings). */
void emu_mmu_invalidate(struct emu_mmu *m);

#endif /* SVART_EMU_MMU_H */
