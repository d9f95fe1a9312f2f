/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Kernel model: iommufd fault queues (drivers/iommu/iommufd/fault.c, eventq.c
 * from Linux 6.15): the emulated IOMMU's page requests become groups (the
 * IOMMU core's iopf_group, drivers/iommu/io-pgfault.c), read(2) as whole
 * groups of struct iommu_hwpt_pgfault records, answered once by write(2). */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "emu_dsa_internal.h"
#include "kmodel_internal.h"

#define KM_PRI_BATCH 64u
#define KM_GROUP_PAGES_INIT 16u
#define KM_INJECT_GRPID_BASE EMU_PRG_COUNT   /* outside the device's PRG indexes */
#define KM_PRQ_PERIOD_US 100u                /* the page request thread's period */

/* IOMMU_FAULT_QUEUE_ALLOC (fault.c iommufd_fault_alloc): flags must be 0;
 * the fd is a real one (an eventfd, readable while groups wait) so poll()
 * works; reads and writes go through the model. */
int
km_fault_alloc(int ctx, void *arg)
{
	struct svart_iommu_fault_alloc *a = arg;
	struct km_obj *o;
	struct km_fd *e;
	uint32_t id;
	int rc, efd;

	if (a->flags != 0)
		return -EOPNOTSUPP;
	rc = km_take_fail(KMODEL_OP_FAULT_ALLOC);
	if (rc != 0)
		return rc;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	rc = km_obj_new(ctx, KM_OBJ_FAULT, &id);
	e = rc == 0 ? km_fd_add(efd, KM_FD_FAULT) : NULL;
	if (e == NULL) {
		if (rc == 0)
			km.ctx[ctx].obj[id].type = KM_OBJ_NONE;
		close(efd);
		return rc != 0 ? rc : -EMFILE;
	}
	e->ctx = ctx;
	e->id = id;
	o = &km.ctx[ctx].obj[id];
	o->fault.efd = o->fault.fd = efd;
	a->out_fault_id = id;
	a->out_fault_fd = (uint32_t)efd;
	return 0;
}

static void
group_free(struct km_group *g)
{
	free(g->addr);
	free(g);
}

/* The kernel answers a group Invalid itself and frees it (fault.c
 * iommufd_auto_response_faults, iommufd_fault_destroy). */
static void
group_answer_invalid(struct km_group *g)
{
	if (g->inject >= 0)
		km.inject[g->inject].code = -ENOENT;
	else if (km.emu != NULL)
		(void)emu_pri_respond(km.emu->iommu, g->pasid, (uint16_t)g->grpid, EMU_PRI_INVALID);
	km.st.auto_responses++;
	group_free(g);
}

static void
list_answer_invalid(struct km_group *g)
{
	while (g != NULL) {
		struct km_group *n = g->next;

		group_answer_invalid(g);
		g = n;
	}
}

void
km_fault_free(struct km_fault *f)
{
	list_answer_invalid(f->pend);
	list_answer_invalid(f->resp);
	f->pend = f->pend_tail = f->resp = NULL;
	if (f->fd < 0) {
		close(f->efd);
	} else {
		/* The user still holds the fd (the file outlives the object). */
		struct km_fd *e = km_fd_find(f->fd);

		if (e != NULL)
			e->id = 0;
	}
}

/* Readable exactly while a group waits (fault.c iommufd_fault_fops_poll). */
static void
fault_signal(struct km_fault *f)
{
	uint64_t v = 1;
	bool want = f->pend != NULL;

	if (want == f->signalled)
		return;
	if (want ? write(f->efd, &v, sizeof(v)) != sizeof(v) : read(f->efd, &v, sizeof(v)) != sizeof(v))
		KM_LOG("fault fd eventfd update failed: %s", strerror(errno));
	f->signalled = want;
}

static int
group_add(struct km_group *g, uint64_t addr)
{
	if (g->n == g->cap) {
		uint32_t cap = g->cap ? 2 * g->cap : KM_GROUP_PAGES_INIT;
		uint64_t *t = realloc(g->addr, cap * sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		g->addr = t;
		g->cap = cap;
	}
	g->addr[g->n++] = addr;
	return 0;
}

/* The fault queue of the HWPT attached to pasid, or NULL. */
static struct km_fault *
pasid_fault(uint32_t pasid)
{
	for (unsigned int i = 0; i < KM_MAX_PASID; i++) {
		struct km_obj *h, *f;

		if (!km.pasid[i].used || km.pasid[i].pasid != pasid)
			continue;
		h = km_obj_get(km.dev_ctx, km.pasid[i].hwpt_id, KM_OBJ_HWPT);
		f = h != NULL ? km_obj_get(km.dev_ctx, h->hwpt.fault_id, KM_OBJ_FAULT) : NULL;
		return f != NULL ? &f->fault : NULL;
	}
	return NULL;
}

static void
fault_queue(struct km_fault *f, struct km_group *g)
{
	g->next = NULL;
	if (f->pend_tail != NULL)
		f->pend_tail->next = g;
	else
		f->pend = g;
	f->pend_tail = g;
}

/* A whole group reached the IOMMU core (io-pgfault.c iommu_report_device_fault):
 * to the fault queue of the PASID's HWPT, or, with no handler for the PASID
 * (detached, no fault queue), answered Invalid by the core. */
static unsigned int
group_done(struct km_group *g)
{
	struct km_fault *f = pasid_fault(g->pasid);

	if (f == NULL) {
		(void)emu_pri_respond(km.emu->iommu, g->pasid, (uint16_t)g->grpid, EMU_PRI_INVALID);
		km.st.auto_responses++;
		group_free(g);
		return 0;
	}
	fault_queue(f, g);
	km.st.queued++;
	return 1;
}

unsigned int
km_pump_locked(void)
{
	struct emu_page_req r[KM_PRI_BATCH];
	unsigned int groups = 0;
	uint16_t got;

	if (km.emu == NULL)
		return 0;
	while ((got = emu_pri_read(km.emu->iommu, r, KM_PRI_BATCH)) > 0) {
		for (uint16_t i = 0; i < got; i++) {
			struct km_partial *p = &km.partial[r[i].prg % EMU_PRG_COUNT];

			/* Partial requests wait for the last one of their group
			 * (iopf_group_alloc collects them by group index). */
			if (!p->used) {
				p->g = calloc(1, sizeof(*p->g));
				if (p->g == NULL)
					continue;
				p->used = true;
				p->pasid = r[i].pasid;
				p->prg = r[i].prg;
				p->g->pasid = r[i].pasid;
				p->g->grpid = r[i].prg;
				p->g->dev_id = km.dev_id;
				p->g->inject = -1;
				p->g->perm = (r[i].perm & EMU_PRI_PERM_WRITE) ? SVART_IOMMU_PGFAULT_PERM_WRITE
									   : SVART_IOMMU_PGFAULT_PERM_READ;
			}
			if (group_add(p->g, r[i].addr) != 0)
				continue;
			km.fault_log[km.fault_log_n++ % KMODEL_FAULT_LOG] = r[i].addr & ~KM_PAGE_MASK;
			if (r[i].last) {
				groups += group_done(p->g);
				p->used = false;
				p->g = NULL;
			}
		}
	}
	for (unsigned int c = 0; c < KMODEL_MAX_CTX; c++)
		for (uint32_t id = 1; km.ctx[c].open && id <= KMODEL_MAX_OBJ; id++)
			if (km.ctx[c].obj[id].type == KM_OBJ_FAULT)
				fault_signal(&km.ctx[c].obj[id].fault);
	return groups;
}

/* The kernel handles page requests on its own (the IOMMU driver's page
 * request thread, e.g. intel/prq.c prq_event_thread, then the IOMMU core):
 * groups reach the fault queues, and those of a PASID without a handler are
 * answered Invalid, whether or not anyone reads the fault fd. */
static void *
prq_thread(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&km.prq_stop, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&km.lock);
		km_pump_locked();
		pthread_mutex_unlock(&km.lock);
		usleep(KM_PRQ_PERIOD_US);
	}
	return NULL;
}

int
km_prq_start(void)
{
	km.prq_stop = false;
	return -pthread_create(&km.prq, NULL, prq_thread, NULL);
}

void
km_prq_stop(void)
{
	/* Release: the thread sees the flag and ends. */
	__atomic_store_n(&km.prq_stop, true, __ATOMIC_RELEASE);
	pthread_join(km.prq, NULL);
}

unsigned int
kmodel_pump(void)
{
	unsigned int n;

	pthread_mutex_lock(&km.lock);
	n = km_pump_locked();
	pthread_mutex_unlock(&km.lock);
	return n;
}

/* Lowest free cookie from 1 (fault->response: xa_alloc). */
static uint32_t
cookie_alloc(const struct km_fault *f)
{
	for (uint32_t c = 1;; c++) {
		const struct km_group *g = f->resp;

		while (g != NULL && g->cookie != c)
			g = g->next;
		if (g == NULL)
			return c;
	}
}

/* read(2) of the fault fd (fault.c / eventq.c iommufd_fault_fops_read): a
 * count that is not a multiple of the record size (or a file offset) is
 * -ESPIPE; only whole groups are delivered, in order, and a group that does
 * not fit what is left of the buffer stays for the next read (0 when the
 * first does not fit); each record carries the group's cookie; nothing
 * pending reads 0 (the fd never blocks). */
ssize_t
km_fault_read(struct km_fd *e, void *buf, size_t n)
{
	struct km_obj *o = km_obj_get(e->ctx, e->id, KM_OBJ_FAULT);
	const size_t rs = sizeof(struct svart_iommu_hwpt_pgfault);
	struct km_fault *f;
	size_t done = 0;

	if (n % rs != 0)
		return -ESPIPE;
	if (o == NULL)
		return 0;
	f = &o->fault;
	km_pump_locked();
	while (f->pend != NULL) {
		struct km_group *g = f->pend;

		if (done >= n || (size_t)g->n * rs > n - done)
			break;
		f->pend = g->next;
		if (f->pend == NULL)
			f->pend_tail = NULL;
		g->cookie = cookie_alloc(f);
		g->next = f->resp;
		f->resp = g;
		for (uint32_t i = 0; i < g->n; i++) {
			struct svart_iommu_hwpt_pgfault rec;

			memset(&rec, 0, sizeof(rec));
			rec.flags = SVART_IOMMU_PGFAULT_FLAGS_PASID_VALID |
				    (i + 1 == g->n ? SVART_IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0);
			rec.dev_id = g->dev_id;
			rec.pasid = g->pasid;
			rec.grpid = g->grpid;
			rec.perm = g->perm;
			rec.addr = g->addr[i];
			rec.cookie = g->cookie;
			memcpy((uint8_t *)buf + done, &rec, rs);
			done += rs;
		}
		km.st.records += g->n;
		km.st.groups++;
	}
	fault_signal(f);
	return (ssize_t)done;
}

static struct km_group *
resp_take(struct km_fault *f, uint32_t cookie)
{
	for (struct km_group **pp = &f->resp; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->cookie == cookie) {
			struct km_group *g = *pp;

			*pp = g->next;
			return g;
		}
	return NULL;
}

/* write(2) of the fault fd (fault.c / eventq.c iommufd_fault_fops_write): a
 * count not a multiple of the response size is -ESPIPE; each response's code
 * must be SUCCESS or INVALID and its cookie must name a delivered, unanswered
 * group (xa_erase), else -EINVAL; the bytes of the responses taken before an
 * error are returned. */
ssize_t
km_fault_write(struct km_fd *e, const void *buf, size_t n)
{
	struct km_obj *o = km_obj_get(e->ctx, e->id, KM_OBJ_FAULT);
	const size_t rs = sizeof(struct svart_iommu_hwpt_page_response);
	size_t done = 0;
	int rc = 0;

	if (n % rs != 0)
		return -ESPIPE;
	if (o == NULL)
		return -EINVAL;
	while (done < n) {
		struct svart_iommu_hwpt_page_response r;
		struct km_group *g;

		memcpy(&r, (const uint8_t *)buf + done, rs);
		if (r.code != SVART_IOMMUFD_PAGE_RESP_SUCCESS && r.code != SVART_IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		g = resp_take(&o->fault, r.cookie);
		if (g == NULL) {
			rc = -EINVAL;
			break;
		}
		if (g->inject >= 0)
			km.inject[g->inject].code = (int)r.code;
		else
			(void)emu_pri_respond(km.emu->iommu, g->pasid, (uint16_t)g->grpid,
					      r.code == SVART_IOMMUFD_PAGE_RESP_SUCCESS ? EMU_PRI_SUCCESS
										: EMU_PRI_INVALID);
		group_free(g);
		km.st.responses++;
		done += rs;
	}
	return done > 0 ? (ssize_t)done : rc;
}

/* Remove the groups of pasid from list *pp, answering each Invalid
 * (fault.c iommufd_auto_response_faults). */
static void
drop_pasid(struct km_group **pp, uint32_t pasid)
{
	while (*pp != NULL) {
		struct km_group *g = *pp;

		if (g->pasid != pasid) {
			pp = &g->next;
			continue;
		}
		*pp = g->next;
		group_answer_invalid(g);
	}
}

/* A PASID detached from its HWPT: the groups still queued or delivered for it
 * are answered Invalid by the kernel and their cookies die (a later write of
 * one is -EINVAL); partial groups are dropped. */
void
km_fault_detach(uint32_t pasid, uint32_t hwpt_id)
{
	struct km_obj *h = km_obj_get(km.dev_ctx, hwpt_id, KM_OBJ_HWPT);
	struct km_obj *o = h != NULL ? km_obj_get(km.dev_ctx, h->hwpt.fault_id, KM_OBJ_FAULT) : NULL;

	for (unsigned int i = 0; i < EMU_PRG_COUNT; i++)
		if (km.partial[i].used && km.partial[i].pasid == pasid) {
			group_free(km.partial[i].g);
			km.partial[i].used = false;
			km.partial[i].g = NULL;
		}
	if (o == NULL)
		return;
	drop_pasid(&o->fault.pend, pasid);
	o->fault.pend_tail = NULL;
	for (struct km_group *g = o->fault.pend; g != NULL; g = g->next)
		o->fault.pend_tail = g;
	drop_pasid(&o->fault.resp, pasid);
	fault_signal(&o->fault);
}

bool
kmodel_fault_seen(uint64_t addr, uint64_t len)
{
	uint64_t first = addr & ~KM_PAGE_MASK;
	bool seen = false;
	uint32_t n;

	pthread_mutex_lock(&km.lock);
	km_pump_locked();
	n = km.fault_log_n < KMODEL_FAULT_LOG ? km.fault_log_n : KMODEL_FAULT_LOG;
	for (uint32_t i = 0; i < n && !seen; i++)
		seen = km.fault_log[i] >= first && km.fault_log[i] < addr + len;
	pthread_mutex_unlock(&km.lock);
	return seen;
}

int
kmodel_inject_group(uint32_t pasid, uint64_t addr, uint32_t npages, bool write)
{
	struct km_fault *f;
	struct km_group *g;
	int h = -ENOSPC;

	pthread_mutex_lock(&km.lock);
	f = pasid_fault(pasid);
	if (f == NULL) {
		pthread_mutex_unlock(&km.lock);
		return -ENOENT;
	}
	for (unsigned int i = 0; i < KM_MAX_INJECT && h < 0; i++)
		if (!km.inject[i].used)
			h = (int)i;
	g = h >= 0 ? calloc(1, sizeof(*g)) : NULL;
	if (g == NULL) {
		pthread_mutex_unlock(&km.lock);
		return h < 0 ? h : -ENOMEM;
	}
	g->pasid = pasid;
	g->grpid = KM_INJECT_GRPID_BASE + (uint32_t)h;
	g->dev_id = km.dev_id;
	g->inject = h;
	g->perm = write ? SVART_IOMMU_PGFAULT_PERM_WRITE : SVART_IOMMU_PGFAULT_PERM_READ;
	for (uint32_t i = 0; i < npages; i++)
		if (group_add(g, (addr & ~KM_PAGE_MASK) + (uint64_t)i * KM_PAGE) != 0) {
			group_free(g);
			pthread_mutex_unlock(&km.lock);
			return -ENOMEM;
		}
	km.inject[h].used = true;
	km.inject[h].code = -EAGAIN;
	fault_queue(f, g);
	fault_signal(f);
	pthread_mutex_unlock(&km.lock);
	return h;
}

int
kmodel_injected_code(int handle)
{
	int c;

	if (handle < 0 || handle >= (int)KM_MAX_INJECT)
		return -EINVAL;
	pthread_mutex_lock(&km.lock);
	c = km.inject[handle].code;
	if (c != -EAGAIN)
		km.inject[handle].used = false;
	pthread_mutex_unlock(&km.lock);
	return c;
}
