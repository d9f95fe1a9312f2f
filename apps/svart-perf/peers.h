/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_PERF_PEERS_H
#define SVART_PERF_PEERS_H

/* What svart-perf measures svart against, in the same run: DPDK's software
 * DMA engine (dma_skeleton through rte_dma), one-core memcpy, and the limit of
 * handing 64-byte records from one core to another (an SPSC ring). */

#include <stdbool.h>
#include <stdint.h>

/** A copy engine driven like svart: enqueue, submit, reap. */
struct perf_target {
	const char *name;
	void *ctx;
	int (*copy)(void *ctx, const void *src, void *dst, uint32_t len);
	int (*submit)(void *ctx);
	/** Reap; *errors counts failed ops. @return ops reaped. */
	uint16_t (*completed)(void *ctx, uint16_t max, uint64_t *errors);
	uint16_t (*capacity)(void *ctx);
	/** Give the engine its core (start) / take it back (stop) between rounds. */
	void (*resume)(void *ctx);
	void (*pause)(void *ctx);
};

/** Create the dma_skeleton peer with its worker on lcore. @return 0 or -errno. */
int peer_skeleton_open(struct perf_target *t, unsigned int lcore, uint16_t depth);
/** Mops/s of just writing 64-byte descriptors and reading a status byte per
 *  op, in bursts (the floor of a driver's cost per op). */
double peer_desc_store_mops(unsigned int burst, double seconds);

/** Create the "rte_dma over svart" peer: a dma_svart dmadev attached to the
 *  started svart device svart_dev (its queue 0). @return 0 or -errno. */
int peer_rte_dma_open(struct perf_target *t, const char *svart_dev, uint16_t depth);
/** Close a peer made by peer_skeleton_open() or peer_rte_dma_open(). */
void peer_dmadev_close(struct perf_target *t);

/** One-core memcpy of len bytes over n buffers for seconds. @return GB/s. */
double peer_memcpy_gbps(uint8_t **src, uint8_t **dst, unsigned int n, uint32_t len, double seconds);

/**
 * 64-byte records from this core to a consumer thread on cpu, publishing the
 * producer index every `batch` records. @return million records per second.
 */
double peer_ring_mrps(int cpu, unsigned int batch, double seconds);

/** Stop/restart every DPDK service lcore's services on lcore (to lend the core to a peer). */
int perf_services_pause(unsigned int lcore);
void perf_services_resume(unsigned int lcore);

#endif /* SVART_PERF_PEERS_H */
