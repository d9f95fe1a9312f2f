/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/**
 * @file
 * The userfaultfd uAPI svart uses (include/uapi/linux/userfaultfd.h), under
 * svart's own names so the build does not depend on the headers' age
 * (UFFD_USER_MODE_ONLY is Linux 5.11). No logic here.
 */
#ifndef SVART_UAPI_UFFD_H
#define SVART_UAPI_UFFD_H

#include <assert.h>
#include <stdint.h>
#include <linux/ioctl.h>

#define SVART_UFFD_API            0xAAull
#define SVART_UFFD_USER_MODE_ONLY 1     /**< userfaultfd() flag (Linux 5.11) */

#define SVART_UFFD_FEATURE_EVENT_REMAP  (1ull << 2)
#define SVART_UFFD_FEATURE_EVENT_REMOVE (1ull << 3)
#define SVART_UFFD_FEATURE_EVENT_UNMAP  (1ull << 6)

#define SVART_UFFDIO_REGISTER_MODE_WP   (1ull << 1)

#define SVART_UFFD_EVENT_REMAP  0x14
#define SVART_UFFD_EVENT_REMOVE 0x15
#define SVART_UFFD_EVENT_UNMAP  0x16

struct svart_uffdio_api {
	uint64_t api;
	uint64_t features;
	uint64_t ioctls;
};

struct svart_uffdio_range {
	uint64_t start;
	uint64_t len;
};

struct svart_uffdio_register {
	struct svart_uffdio_range range;
	uint64_t mode;
	uint64_t ioctls;
};

/** One message read from the userfaultfd (32 bytes, packed in the kernel). */
struct svart_uffd_msg {
	uint8_t event;
	uint8_t reserved1;
	uint16_t reserved2;
	uint32_t reserved3;
	union {
		struct { uint64_t from, to, len; } remap;
		struct { uint64_t start, end; } remove; /**< also UNMAP */
		uint64_t reserved[3];
	} arg;
} __attribute__((packed));

#define SVART_UFFDIO             0xAA
#define SVART_UFFDIO_API         _IOWR(SVART_UFFDIO, 0x3F, struct svart_uffdio_api)
#define SVART_UFFDIO_REGISTER    _IOWR(SVART_UFFDIO, 0x00, struct svart_uffdio_register)
#define SVART_UFFDIO_UNREGISTER  _IOR(SVART_UFFDIO, 0x01, struct svart_uffdio_range)

static_assert(sizeof(struct svart_uffdio_api) == 24, "uffdio_api");
static_assert(sizeof(struct svart_uffdio_register) == 32, "uffdio_register");
static_assert(sizeof(struct svart_uffd_msg) == 32, "uffd_msg");

#endif /* SVART_UAPI_UFFD_H */
