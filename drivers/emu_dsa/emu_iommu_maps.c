/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The emulated IOMMU's cached copy of /proc/self/maps (emu_iommu_maps.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_iommu_maps.h"

#define MAPS_PATH "/proc/self/maps"
#define MAPS_READ_CHUNK 65536
#define VMA_INITIAL_CAP 256

static uint64_t
parse_hex(const char **p)
{
	uint64_t v = 0;

	for (;;) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = (v << 4) | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (v << 4) | (uint64_t)(c - 'a' + 10);
		else
			return v;
		(*p)++;
	}
}

/* Re-read the process's mappings. Returns 0 or -errno; on error the cache is empty. */
static int
mmu_reload(struct emu_vma_cache *m)
{
	size_t len = 0;
	ssize_t r;
	int fd;

	m->n = 0;
	m->mru = 0;
	fd = open(MAPS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 1 >= m->buf_cap) {
			char *nb = realloc(m->buf, m->buf_cap * 2);

			if (nb == NULL) {
				close(fd);
				return -ENOMEM;
			}
			m->buf = nb;
			m->buf_cap *= 2;
		}
		r = read(fd, m->buf + len, m->buf_cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	m->buf[len] = '\0';

	for (const char *p = m->buf; *p != '\0';) {
		struct emu_vma v;

		v.start = parse_hex(&p);
		if (*p == '-')
			p++;
		v.end = parse_hex(&p);
		if (*p == ' ')
			p++;
		v.r = p[0] == 'r';
		v.w = p[0] != '\0' && p[1] == 'w';
		if (m->n == m->cap) {
			struct emu_vma *nv = realloc(m->v, m->cap * 2 * sizeof(*nv));

			if (nv == NULL) {
				m->n = 0;
				return -ENOMEM;
			}
			m->v = nv;
			m->cap *= 2;
		}
		m->v[m->n++] = v;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

/* Cached VMA containing va, or NULL. /proc/self/maps is sorted by address. */
static const struct emu_vma *
mmu_find(struct emu_vma_cache *m, uint64_t va)
{
	size_t lo = 0, hi = m->n;

	if (m->mru < m->n && va >= m->v[m->mru].start && va < m->v[m->mru].end)
		return &m->v[m->mru];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (va < m->v[mid].start)
			hi = mid;
		else if (va >= m->v[mid].end)
			lo = mid + 1;
		else {
			m->mru = mid;
			return &m->v[mid];
		}
	}
	return NULL;
}

static bool
vma_allows(const struct emu_vma *v, bool write)
{
	return v != NULL && v->r && (!write || v->w);
}

/* VMA containing va that allows the access, reloading the cache once on a miss. */
const struct emu_vma *
emu_maps_lookup(struct emu_vma_cache *m, uint64_t va, bool write, bool *reloaded)
{
	const struct emu_vma *v = mmu_find(m, va);

	if (!vma_allows(v, write) && !*reloaded) {
		*reloaded = true;
		if (mmu_reload(m) != 0)
			return NULL;
		v = mmu_find(m, va);
	}
	return vma_allows(v, write) ? v : NULL;
}

int
emu_maps_init(struct emu_vma_cache *m)
{
	m->cap = VMA_INITIAL_CAP;
	m->v = calloc(m->cap, sizeof(*m->v));
	m->buf_cap = MAPS_READ_CHUNK;
	m->buf = malloc(m->buf_cap);
	return m->v != NULL && m->buf != NULL ? 0 : -ENOMEM;
}

void
emu_maps_fini(struct emu_vma_cache *m)
{
	free(m->v);
	free(m->buf);
}
