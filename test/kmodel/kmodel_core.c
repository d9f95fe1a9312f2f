/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Kernel model: the OS table, file descriptors, iommufd contexts and their
 * objects, and the iommufd ioctl entry (drivers/iommu/iommufd/main.c). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "emu_dsa_internal.h"
#include "kmodel_internal.h"

struct km_state km = { .lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP, .dev_ctx = -1, .dev_fd = -1,
		       .pagemap_fd = -1 };
static struct idxd_os_ops km_os;

#define KM_NODE_IOMMU "/iommu"
#define KM_NODE_VFIO "/vfio/devices/vfio"

struct km_fd *
km_fd_find(int fd)
{
	for (unsigned int i = 0; i < KM_MAX_FD; i++)
		if (km.fds[i].kind != KM_FD_NONE && km.fds[i].fd == fd)
			return &km.fds[i];
	return NULL;
}

struct km_fd *
km_fd_add(int fd, enum km_fd_kind kind)
{
	for (unsigned int i = 0; i < KM_MAX_FD; i++)
		if (km.fds[i].kind == KM_FD_NONE) {
			memset(&km.fds[i], 0, sizeof(km.fds[i]));
			km.fds[i].fd = fd;
			km.fds[i].kind = kind;
			return &km.fds[i];
		}
	return NULL;
}

/* iommufd_get_object(): an unknown id, or one of another type, is -ENOENT. */
struct km_obj *
km_obj_get(int ctx, uint32_t id, enum km_type type)
{
	struct km_obj *o;

	if (ctx < 0 || id == 0 || id > KMODEL_MAX_OBJ)
		return NULL;
	o = &km.ctx[ctx].obj[id];
	if (o->type == KM_OBJ_NONE || (type != KM_OBJ_NONE && o->type != type))
		return NULL;
	return o;
}

/* iommufd_object_finalize(): ids from xa_alloc, lowest free from 1. */
int
km_obj_new(int ctx, enum km_type type, uint32_t *id)
{
	for (uint32_t i = 1; i <= KMODEL_MAX_OBJ; i++) {
		struct km_obj *o = &km.ctx[ctx].obj[i];

		if (o->type == KM_OBJ_NONE) {
			memset(o, 0, sizeof(*o));
			o->type = type;
			*id = i;
			return 0;
		}
	}
	return -ENOMEM;
}

void
km_flush_later(void)
{
	km.flush_pending = true;
}

void
km_flush_now(void)
{
	if (__atomic_exchange_n(&km.flush_pending, false, __ATOMIC_ACQ_REL) && km.emu != NULL)
		emu_dsa_invalidate(km.emu);
}

int
km_take_fail(enum kmodel_op op)
{
	int e = km.fail[op];

	if (op != KMODEL_OP_PREAD)
		km.fail[op] = 0;
	return e;
}

/* copy_struct_from_user() (include/linux/uaccess.h). */
int
km_copy_struct(void *k, size_t ksize, const void *u, size_t usize)
{
	memset(k, 0, ksize);
	if (usize > ksize) {
		for (size_t i = ksize; i < usize; i++)
			if (((const uint8_t *)u)[i] != 0)
				return -E2BIG;
		usize = ksize;
	}
	memcpy(k, u, usize);
	return 0;
}

/* Destroy one object (refcounts checked by the caller). */
static void
obj_free(int ctx, uint32_t id)
{
	struct km_obj *o = &km.ctx[ctx].obj[id];

	switch (o->type) {
	case KM_OBJ_IOAS:
		km_ioas_free(&o->ioas);
		break;
	case KM_OBJ_HWPT: {
		struct km_obj *ioas = km_obj_get(ctx, o->hwpt.ioas_id, KM_OBJ_IOAS);
		struct km_obj *f = km_obj_get(ctx, o->hwpt.fault_id, KM_OBJ_FAULT);

		if (ioas != NULL)
			ioas->users--;
		if (f != NULL)
			f->users--;
		break;
	}
	case KM_OBJ_FAULT:
		km_fault_free(&o->fault);
		break;
	default:
		break;
	}
	o->type = KM_OBJ_NONE;
}

/* IOMMU_DESTROY (main.c iommufd_destroy -> iommufd_object_remove): unknown
 * id -ENOENT; an object others still use (an IOAS under a HWPT, a HWPT
 * attached, a fault queue of a HWPT, a bound device) -EBUSY. */
static int
km_destroy(int ctx, void *arg)
{
	struct svart_iommu_destroy *d = arg;
	struct km_obj *o = km_obj_get(ctx, d->id, KM_OBJ_NONE);

	if (o == NULL)
		return -ENOENT;
	if (o->users > 0 || o->type == KM_OBJ_DEVICE)
		return -EBUSY;
	obj_free(ctx, d->id);
	return 0;
}

/* The iommufd ioctls: kernel struct size and minimum user size (main.c
 * iommufd_ioctl_ops, IOCTL_OP(ioctl, fn, type, last): min = offsetofend(last)). */
struct km_ioctl_op {
	unsigned long req;
	size_t size, min;
	int (*fn)(int ctx, void *arg);
	const char *name;
};

#define KM_OP(r, t, last, f) \
	{ r, sizeof(struct t), offsetof(struct t, last) + sizeof(((struct t *)0)->last), f, #r }

static const struct km_ioctl_op km_ops[] = {
	KM_OP(SVART_IOMMU_DESTROY, svart_iommu_destroy, id, km_destroy),
	KM_OP(SVART_IOMMU_IOAS_ALLOC, svart_iommu_ioas_alloc, out_ioas_id, km_ioas_alloc),
	KM_OP(SVART_IOMMU_IOAS_MAP, svart_iommu_ioas_map, iova, km_ioas_map),
	KM_OP(SVART_IOMMU_IOAS_UNMAP, svart_iommu_ioas_unmap, length, km_ioas_unmap),
	KM_OP(SVART_IOMMU_HWPT_ALLOC, svart_iommu_hwpt_alloc, reserved, km_hwpt_alloc),
	KM_OP(SVART_IOMMU_FAULT_QUEUE_ALLOC, svart_iommu_fault_alloc, out_fault_fd, km_fault_alloc),
};

#define KM_IOMMUFD_CMD_BASE 0x80u
#define KM_IOC_NR(r) ((r) & 0xffu)
#define KM_IOC_TYPE(r) (((r) >> 8) & 0xffu)
#define KM_KBUF 64u

/* iommufd_fops_ioctl (main.c): the user's struct starts with its size; below
 * the op's minimum -EINVAL; bytes past the kernel's struct must be zero
 * (-E2BIG); the answer is copied back up to the user's size
 * (iommufd_ucmd_respond). Numbers below the iommufd range go to the VFIO
 * compatibility layer (iommufd_vfio_ioctl), which knows none of the device
 * ioctls: -ENOTTY. */
static int
km_iommufd_ioctl(struct km_fd *e, unsigned long req, void *arg)
{
	uint8_t kbuf[KM_KBUF];
	uint32_t usize;
	int rc;

	if (KM_IOC_TYPE(req) != (unsigned char)SVART_IOMMUFD_TYPE || KM_IOC_NR(req) < KM_IOMMUFD_CMD_BASE)
		return -ENOTTY;
	for (size_t i = 0; i < sizeof(km_ops) / sizeof(km_ops[0]); i++) {
		const struct km_ioctl_op *op = &km_ops[i];

		if (op->req != req)
			continue;
		memcpy(&usize, arg, sizeof(usize));
		if (usize < op->min)
			return -EINVAL;
		rc = km_copy_struct(kbuf, op->size, arg, usize);
		if (rc != 0)
			return rc;
		rc = op->fn(e->ctx, kbuf);
		if (rc == 0)
			memcpy(arg, kbuf, usize < op->size ? usize : op->size);
		return rc;
	}
	KM_LOG("iommufd ioctl %#lx is not modelled", req);
	return -ENOTTY;
}

static void
ctx_close(int c)
{
	struct km_ctx *x = &km.ctx[c];

	/* The device holds the context until it is unbound (vfio keeps a
	 * reference); the model unbinds it first. */
	if (km.dev_ctx == c)
		km_vfio_unbind();
	/* iommufd_fops_release: HWPTs first, then what they used. */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t id = 1; id <= KMODEL_MAX_OBJ; id++)
			if (x->obj[id].type != KM_OBJ_NONE &&
			    (pass == 1 || x->obj[id].type == KM_OBJ_HWPT))
				obj_free(c, id);
	x->open = false;
}

/* ---- the OS table ---- */

static bool
ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

static int
km_open(const char *path, int flags)
{
	const char *root = idxd_dev_root();
	size_t rl = strlen(root);
	int fd, rc;
	struct km_fd *e;

	if (strncmp(path, root, rl) != 0)
		return km.real->open(path, flags);
	pthread_mutex_lock(&km.lock);
	if (ends_with(path, KM_NODE_IOMMU)) {
		int c = -1;

		rc = km_take_fail(KMODEL_OP_OPEN_IOMMU);
		for (unsigned int i = 0; i < KMODEL_MAX_CTX && rc == 0 && c < 0; i++)
			if (!km.ctx[i].open)
				c = (int)i;
		if (rc == 0 && c < 0)
			rc = -EMFILE;
		fd = rc == 0 ? km.real->open("/dev/null", O_RDWR | O_CLOEXEC) : rc;
		if (fd >= 0) {
			e = km_fd_add(fd, KM_FD_IOMMU);
			memset(&km.ctx[c], 0, sizeof(km.ctx[c]));
			km.ctx[c].open = true;
			km.ctx[c].fd = fd;
			e->ctx = c;
		}
	} else if (strstr(path + rl, KM_NODE_VFIO) == path + rl) {
		rc = km_take_fail(KMODEL_OP_OPEN_DEV);
		fd = rc == 0 ? km.real->open("/dev/null", O_RDWR | O_CLOEXEC) : rc;
		if (fd >= 0)
			km_fd_add(fd, KM_FD_DEV);
	} else {
		fd = km.real->open(path, flags);
	}
	pthread_mutex_unlock(&km.lock);
	return fd;
}

static int
km_close(int fd)
{
	struct km_fd *e;

	pthread_mutex_lock(&km.lock);
	e = km_fd_find(fd);
	if (e != NULL) {
		if (e->kind == KM_FD_IOMMU)
			ctx_close(e->ctx);
		else if (e->kind == KM_FD_DEV && km.dev_fd == fd)
			km_vfio_unbind();
		else if (e->kind == KM_FD_FAULT) {
			struct km_obj *o = km_obj_get(e->ctx, e->id, KM_OBJ_FAULT);

			/* The object keeps its file (fault->filep) until destroyed. */
			if (o != NULL) {
				o->fault.fd = -1;
				e->kind = KM_FD_NONE;
				pthread_mutex_unlock(&km.lock);
				return 0;
			}
		}
		e->kind = KM_FD_NONE;
	}
	pthread_mutex_unlock(&km.lock);
	km_flush_now();
	return km.real->close(fd);
}

static int
km_ioctl(int fd, unsigned long req, void *arg)
{
	struct km_fd *e;
	int rc;

	pthread_mutex_lock(&km.lock);
	e = km_fd_find(fd);
	if (e == NULL) {
		pthread_mutex_unlock(&km.lock);
		return km.real->ioctl(fd, req, arg);
	}
	if (e->kind == KM_FD_IOMMU)
		rc = km_iommufd_ioctl(e, req, arg);
	else if (e->kind == KM_FD_DEV)
		rc = km_vfio_ioctl(e, req, arg);
	else
		rc = -ENOTTY;    /* the fault fd has no ioctls (fault.c iommufd_fault_fops) */
	pthread_mutex_unlock(&km.lock);
	km_flush_now();
	return rc;
}

static ssize_t
km_read(int fd, void *buf, size_t n)
{
	struct km_fd *e;
	ssize_t rc;

	pthread_mutex_lock(&km.lock);
	e = km_fd_find(fd);
	if (e == NULL || e->kind != KM_FD_FAULT) {
		pthread_mutex_unlock(&km.lock);
		return e == NULL ? km.real->read(fd, buf, n) : -EINVAL;
	}
	rc = km_fault_read(e, buf, n);
	pthread_mutex_unlock(&km.lock);
	return rc;
}

static ssize_t
km_write(int fd, const void *buf, size_t n)
{
	struct km_fd *e;
	ssize_t rc;

	pthread_mutex_lock(&km.lock);
	e = km_fd_find(fd);
	if (e == NULL || e->kind != KM_FD_FAULT) {
		pthread_mutex_unlock(&km.lock);
		return e == NULL ? km.real->write(fd, buf, n) : -EINVAL;
	}
	rc = km_fault_write(e, buf, n);
	pthread_mutex_unlock(&km.lock);
	return rc;
}

/* BAR and config accesses run unlocked (they reach the device, which may
 * translate through the model on this thread). */
static ssize_t
km_pread(int fd, void *buf, size_t n, off_t off)
{
	struct km_fd *e;

	pthread_mutex_lock(&km.lock);
	e = km_fd_find(fd);
	pthread_mutex_unlock(&km.lock);
	if (e == NULL)
		return km.real->pread(fd, buf, n, off);
	return e->kind == KM_FD_DEV ? km_vfio_pread(e, buf, n, off) : -ESPIPE;
}

static ssize_t
km_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct km_fd *e;

	pthread_mutex_lock(&km.lock);
	e = km_fd_find(fd);
	pthread_mutex_unlock(&km.lock);
	if (e == NULL)
		return km.real->pwrite(fd, buf, n, off);
	return e->kind == KM_FD_DEV ? km_vfio_pwrite(e, buf, n, off) : -ESPIPE;
}

/* mmap of the device fd: BAR2 write-combined portals on hardware. The model
 * takes descriptors through pwrite only (SVART_IDXD_PORTAL_PWRITE=1). */
static void *
km_mmap(size_t len, int prot, int fd, off_t off, int *err)
{
	if (km_fd_find(fd) == NULL)
		return km.real->mmap(len, prot, fd, off, err);
	KM_LOG("mmap of a model fd is not modelled: set SVART_IDXD_PORTAL_PWRITE=1");
	*err = -ENODEV;
	return NULL;
}

/* ---- control ---- */

int
kmodel_init(struct emu_dsa *emu)
{
	struct rlimit rl;

	if (km.installed)
		return -EALREADY;
	pthread_mutex_lock(&km.lock);
	km.emu = emu;
	km.real = idxd_os;
	km.dev_ctx = -1;
	km.dev_fd = -1;
	km.strict = true;
	km.pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	km.pin_limit = 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		km.pin_limit = rl.rlim_cur / KM_PAGE;
	else
		km.pin_limit = UINT64_MAX;
	km_os = *idxd_os;
	km_os.open = km_open;
	km_os.close = km_close;
	km_os.ioctl = km_ioctl;
	km_os.read = km_read;
	km_os.write = km_write;
	km_os.pread = km_pread;
	km_os.pwrite = km_pwrite;
	km_os.mmap = km_mmap;
	idxd_os_set(&km_os);
	emu_iommu_set_translate(emu->iommu, km_translate, &km);
	emu_iommu_set_revalidate(emu->iommu, km_revalidate, &km);
	km.installed = true;
	pthread_mutex_unlock(&km.lock);
	if (km.pagemap_fd < 0)
		return -errno;
	return km_prq_start();
}

void
kmodel_fini(void)
{
	if (!km.installed)
		return;
	km_prq_stop();
	pthread_mutex_lock(&km.lock);
	for (unsigned int i = 0; i < KM_MAX_FD; i++)
		if (km.fds[i].kind != KM_FD_NONE && km.fds[i].kind != KM_FD_FAULT) {
			int fd = km.fds[i].fd;

			km_close(fd);
		}
	/* Fault fds the user still held: the files go with the model. */
	for (unsigned int i = 0; i < KM_MAX_FD; i++)
		if (km.fds[i].kind == KM_FD_FAULT) {
			km.real->close(km.fds[i].fd);
			km.fds[i].kind = KM_FD_NONE;
		}
	emu_iommu_set_translate(km.emu->iommu, NULL, NULL);
	emu_iommu_set_revalidate(km.emu->iommu, NULL, NULL);
	idxd_os_set(NULL);
	if (km.pagemap_fd >= 0)
		close(km.pagemap_fd);
	km.pagemap_fd = -1;
	km.installed = false;
	pthread_mutex_unlock(&km.lock);
	km_flush_now();
}

void
kmodel_fail(enum kmodel_op op, int err)
{
	if (op < KMODEL_OP_COUNT)
		km.fail[op] = err;
}

void
kmodel_set_pin_limit(uint64_t pages)
{
	struct rlimit rl;

	pthread_mutex_lock(&km.lock);
	if (pages != 0)
		km.pin_limit = pages;
	else if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		km.pin_limit = rl.rlim_cur / KM_PAGE;
	else
		km.pin_limit = UINT64_MAX;
	pthread_mutex_unlock(&km.lock);
}

void
kmodel_set_strict(bool strict)
{
	pthread_mutex_lock(&km.lock);
	km.strict = strict;
	emu_iommu_set_translate(km.emu->iommu, strict ? km_translate : NULL, &km);
	emu_iommu_set_revalidate(km.emu->iommu, strict ? km_revalidate : NULL, &km);
	pthread_mutex_unlock(&km.lock);
}

void
kmodel_stats_get(struct kmodel_stats *s)
{
	pthread_mutex_lock(&km.lock);
	*s = km.st;
	s->pinned_pages = km.pinned;
	pthread_mutex_unlock(&km.lock);
}

void
kmodel_stats_reset(void)
{
	pthread_mutex_lock(&km.lock);
	memset(&km.st, 0, sizeof(km.st));
	km.fault_log_n = 0;
	pthread_mutex_unlock(&km.lock);
}

uint64_t
kmodel_stale_accesses(void)
{
	uint64_t v;

	pthread_mutex_lock(&km.lock);
	v = km.st.stale;
	pthread_mutex_unlock(&km.lock);
	return v;
}
