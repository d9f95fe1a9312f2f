/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_KMODEL_INTERNAL_H
#define SVART_KMODEL_INTERNAL_H

/* Shared state of the kernel model (one global instance, one lock). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "emu_dsa.h"
#include "idxd_os.h"
#include "kmodel.h"
#include "svart_uapi_iommu.h"

#define KM_PAGE 4096ull
#define KM_PAGE_MASK (KM_PAGE - 1)
#define KM_MAX_FD 64u
#define KM_MAX_PASID 64u
#define KM_MAX_INJECT 16u
#define KM_PASID_LIMIT (1u << 20)           /* 20-bit PCIe PASID */
#define KM_REGION_SHIFT 40                   /* vfio_pci_priv.h VFIO_PCI_OFFSET_SHIFT */
#define KM_REGION_OFF(i) ((uint64_t)(i) << KM_REGION_SHIFT)
#define KM_VFIO_PCI_NUM_REGIONS 9u           /* BAR0-5, ROM, CONFIG, VGA */
#define KM_VFIO_PCI_VGA_REGION_INDEX 8u
#define KM_LOG_MAX 8u                        /* stale accesses logged one by one */

#define KM_LOG(fmt, ...) fprintf(stderr, "kmodel: " fmt "\n", ##__VA_ARGS__)

enum km_type { KM_OBJ_NONE = 0, KM_OBJ_IOAS, KM_OBJ_HWPT, KM_OBJ_FAULT, KM_OBJ_DEVICE };
enum km_fd_kind { KM_FD_NONE = 0, KM_FD_IOMMU, KM_FD_DEV, KM_FD_FAULT };

/* One IOAS_MAP: an iopt_area over its own iopt_pages (pages.c). */
struct km_area {
	uint64_t iova, len, uva;
	bool r, w;
	bool pinned;        /* pinned into the HWPTs on the IOAS (a domain exists) */
	uint64_t *pfn;      /* identity of each pinned page (PFN, or KM_PFN_PRESENT) */
	bool *gone;         /* the process no longer has that page there (seen) */
};
#define KM_PFN_PRESENT UINT64_MAX   /* present, PFN unreadable (not root) */

struct km_ioas {
	struct km_area *a;
	uint32_t n, cap;
};

struct km_hwpt {
	uint32_t ioas_id, fault_id, dev_id;
	bool pasid_compat;  /* IOMMU_HWPT_ALLOC_PASID */
};

/* A page-request group (iopf_group): delivered whole, answered once. */
struct km_group {
	struct km_group *next;
	uint32_t pasid, grpid, dev_id, cookie, perm, n, cap;
	uint64_t *addr;
	int inject;         /* handle of a synthetic group, else -1 */
};

struct km_fault {
	int efd;            /* real eventfd: readable while groups wait (poll works) */
	int fd;             /* the fd handed out (efd) while open, else -1 */
	bool signalled;     /* efd's counter is non-zero */
	struct km_group *pend, *pend_tail;   /* to deliver (fault->deliver) */
	struct km_group *resp;               /* delivered, unanswered (fault->response) */
};

struct km_obj {
	enum km_type type;
	uint32_t users;     /* references from other objects / attachments */
	union {
		struct km_ioas ioas;
		struct km_hwpt hwpt;
		struct km_fault fault;
	};
};

struct km_ctx {
	bool open;
	int fd;
	struct km_obj obj[KMODEL_MAX_OBJ + 1]; /* ids 1..MAX (XA_FLAGS_ALLOC1) */
};

struct km_fd {
	int fd;
	enum km_fd_kind kind;
	int ctx;            /* iommufd: its context; fault: owner context */
	uint32_t id;        /* fault: object id */
	bool bound;         /* device: df->access_granted */
};

struct km_pasid {
	bool used;
	uint32_t pasid, hwpt_id;
};

/* A page request group being assembled from the emulated IOMMU's records. */
struct km_partial {
	bool used;
	uint32_t pasid;
	uint16_t prg;
	struct km_group *g;
};

struct km_inject {
	bool used;
	int code;           /* -EAGAIN until answered */
};

struct km_state {
	pthread_mutex_t lock;
	bool installed, strict;
	struct emu_dsa *emu;
	const struct idxd_os_ops *real;
	struct km_ctx ctx[KMODEL_MAX_CTX];
	struct km_fd fds[KM_MAX_FD];
	/* The one emulated PCI function: bound to one context at a time. */
	int dev_ctx;        /* -1: not bound */
	uint32_t dev_id;
	int dev_fd;         /* the df that bound it */
	uint32_t rid_pt;    /* pt attached to the RID (0: none) */
	struct km_pasid pasid[KM_MAX_PASID];
	struct km_partial partial[EMU_PRG_COUNT];
	struct km_inject inject[KM_MAX_INJECT];
	int fail[KMODEL_OP_COUNT];
	uint64_t pin_limit, pinned;
	int pagemap_fd;
	bool drain_seen;
	bool flush_pending;
	pthread_t prq;      /* the kernel's page request handling */
	bool prq_stop;  /* ATCs to flush once the model lock is released */
	struct kmodel_stats st;
	uint64_t fault_log[KMODEL_FAULT_LOG];  /* page addresses of requests raised */
	uint32_t fault_log_n;
};

extern struct km_state km;

/* kmodel_core.c */
struct km_fd *km_fd_find(int fd);
struct km_fd *km_fd_add(int fd, enum km_fd_kind kind);
struct km_obj *km_obj_get(int ctx, uint32_t id, enum km_type type);
int km_obj_new(int ctx, enum km_type type, uint32_t *id);
int km_take_fail(enum kmodel_op op);
/* The device's ATCs must be flushed before the current call returns: done
 * after the model lock is dropped (an engine thread may be translating
 * through the model while holding its own lock). */
void km_flush_later(void);
void km_flush_now(void);
/* Copy a user struct of usize bytes into a kernel struct of ksize bytes
 * (copy_struct_from_user: bytes beyond ksize must be zero, else -E2BIG). */
int km_copy_struct(void *k, size_t ksize, const void *u, size_t usize);

/* kmodel_ioas.c */
int km_ioas_alloc(int ctx, void *arg);
int km_ioas_map(int ctx, void *arg);
int km_ioas_unmap(int ctx, void *arg);
void km_ioas_free(struct km_ioas *io);
int km_ioas_pin_all(struct km_ioas *io);
bool km_translate(void *ctx, uint32_t pasid, uint64_t va, bool write);
bool km_revalidate(void *ctx);
struct km_ioas *km_pasid_ioas(uint32_t pasid);

/* kmodel_fault.c */
int km_fault_alloc(int ctx, void *arg);
void km_fault_free(struct km_fault *f);
ssize_t km_fault_read(struct km_fd *e, void *buf, size_t n);
ssize_t km_fault_write(struct km_fd *e, const void *buf, size_t n);
void km_fault_detach(uint32_t pasid, uint32_t hwpt_id);
unsigned int km_pump_locked(void);
int km_prq_start(void);
void km_prq_stop(void);

/* kmodel_vfio.c */
int km_hwpt_alloc(int ctx, void *arg);
int km_vfio_ioctl(struct km_fd *e, unsigned long req, void *arg);
ssize_t km_vfio_pread(struct km_fd *e, void *buf, size_t n, off_t off);
ssize_t km_vfio_pwrite(struct km_fd *e, const void *buf, size_t n, off_t off);
void km_vfio_unbind(void);
int km_pasid_detach(uint32_t pasid);

#endif /* SVART_KMODEL_INTERNAL_H */
