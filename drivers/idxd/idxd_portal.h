/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_PORTAL_H
#define SVART_IDXD_PORTAL_H

/**
 * @file
 * Writing a 64-byte descriptor to a hardware WQ portal: MOVDIR64B for
 * dedicated WQs, ENQCMD for shared ones, chosen at run time by CPUID. The
 * fallback for CPUs without MOVDIR64B is four 16-byte stores, which is a valid
 * write to ordinary memory (the emulated and fake portals) but NOT a single
 * 64-byte write a device would accept: the hardware transports refuse to run
 * without the instructions (idxd_portal_cpu_check()).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_cpuflags.h>

#include "svart_config.h"

#if SVART_ARCH_X86_64
#include <cpuid.h>
#endif

#define IDXD_CPUID_LEAF_EXT 7
#define IDXD_CPUID_ECX_ENQCMD (1u << 29)

/** @return true if the CPU executes MOVDIR64B. */
static inline bool
idxd_cpu_has_movdir64b(void)
{
#if SVART_ARCH_X86_64
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_MOVDIR64B) > 0;
#else
	return false;
#endif
}

/** @return true if the CPU executes ENQCMD (DPDK 22.11 has no flag for it:
 *  CPUID leaf 7 ECX bit 29). */
static inline bool
idxd_cpu_has_enqcmd(void)
{
#if SVART_ARCH_X86_64
	unsigned int a, b, c, d;

	if (__get_cpuid_count(IDXD_CPUID_LEAF_EXT, 0, &a, &b, &c, &d) == 0)
		return false;
	return (c & IDXD_CPUID_ECX_ENQCMD) != 0;
#else
	return false;
#endif
}

/**
 * Check the CPU can submit to a hardware portal in this mode.
 * @return 0, or -ENOTSUP (the instruction is missing; the message says which).
 */
static inline int
idxd_portal_cpu_check(bool shared, const char **missing)
{
	if (shared && !idxd_cpu_has_enqcmd()) {
		*missing = "ENQCMD (shared work queues)";
		return -ENOTSUP;
	}
	if (!shared && !idxd_cpu_has_movdir64b()) {
		*missing = "MOVDIR64B (dedicated work queues)";
		return -ENOTSUP;
	}
	return 0;
}

/** MOVDIR64B: one posted 64-byte direct store of desc to portal (64-byte aligned). */
static inline void
idxd_movdir64b(volatile void *portal, const void *desc)
{
#if SVART_ARCH_X86_64
	/* SFENCE: descriptor-ring and completion-record stores made before this
	 * call must be globally visible before the device can fetch them; MOVDIR64B
	 * is weakly ordered with respect to earlier stores. */
	__asm__ volatile("sfence" ::: "memory");
	/* movdir64b (%rdx), %rax */
	__asm__ volatile(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
			 : : "a"(portal), "d"(desc) : "memory");
#else
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy((void *)portal, desc, 64);
#endif
}

/**
 * ENQCMD: submit desc to a shared WQ portal.
 * @return 0 accepted, 1 retry (ZF set: the WQ refused it).
 */
static inline int
idxd_enqcmd(volatile void *portal, const void *desc)
{
#if SVART_ARCH_X86_64
	uint8_t retry;

	/* SFENCE: as for MOVDIR64B, earlier stores must be visible first. */
	__asm__ volatile("sfence" ::: "memory");
	/* enqcmd (%rdx), %rax; setz retry */
	__asm__ volatile(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\tsetz %0"
			 : "=r"(retry) : "a"(portal), "d"(desc) : "memory", "cc");
	return retry;
#else
	(void)portal;
	(void)desc;
	return 1;
#endif
}

/** Portable 64-byte store used when MOVDIR64B is absent (ordinary memory only). */
static inline void
idxd_store64_fallback(volatile void *portal, const void *desc)
{
	/* Release: the descriptor's referents are visible before its bytes. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy((void *)portal, desc, 64);
}

#endif /* SVART_IDXD_PORTAL_H */
