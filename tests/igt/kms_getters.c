// SPDX-License-Identifier: MIT
/*
 * The DRM core's KMS getters on vdisplay, as documented in docs/security.md:
 * an array pointer whose count is 0 is neither read nor checked (the call
 * only reports the counts), and a bad pointer with a count that needs it
 * fails with EFAULT. Userspace calls every getter twice, first with zero
 * counts; fuzzing found the first call "succeeding with a bad pointer",
 * which is this contract, not a hole.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms.h"

/* Unmapped in every process: the first page is never mapped. */
#define BAD_PTR 16ull

static int fd = -1;

static int getter(unsigned long request, void *arg)
{
	/* Not drmIoctl(): one call, its own errno. */
	return ioctl(fd, request, arg) ? -errno : 0;
}

static void test_resources(void)
{
	struct drm_mode_card_res res = {
		.fb_id_ptr = BAD_PTR,
		.crtc_id_ptr = BAD_PTR,
		.connector_id_ptr = BAD_PTR,
		.encoder_id_ptr = BAD_PTR,
	};
	struct drm_mode_get_plane_res pres = { .plane_id_ptr = BAD_PTR };

	igt_assert_eq(getter(DRM_IOCTL_MODE_GETRESOURCES, &res), 0);
	igt_assert(res.count_crtcs >= 1);
	igt_assert(res.count_connectors >= 1);
	igt_assert(res.count_encoders >= 1);
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETRESOURCES, &res), -EFAULT);

	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPLANERESOURCES, &pres), 0);
	igt_assert(pres.count_planes >= 1);
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPLANERESOURCES, &pres),
		      -EFAULT);
}

static uint32_t first_crtc_and_connector(uint32_t *connector)
{
	struct drm_mode_card_res res = { 0 };
	uint32_t crtcs[16], connectors[16];

	igt_assert_eq(getter(DRM_IOCTL_MODE_GETRESOURCES, &res), 0);
	igt_assert(res.count_crtcs >= 1 && res.count_crtcs <= 16);
	igt_assert(res.count_connectors >= 1 && res.count_connectors <= 16);
	memset(&res, 0, sizeof(res));
	res.count_crtcs = 16;
	res.count_connectors = 16;
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)connectors;
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETRESOURCES, &res), 0);
	*connector = connectors[0];
	return crtcs[0];
}

static void test_connector_and_properties(void)
{
	struct drm_mode_get_connector conn = {
		.encoders_ptr = BAD_PTR,
		.modes_ptr = BAD_PTR,
		.props_ptr = BAD_PTR,
		.prop_values_ptr = BAD_PTR,
	};
	struct drm_mode_obj_get_properties props = {
		.props_ptr = BAD_PTR,
		.prop_values_ptr = BAD_PTR,
		.obj_type = DRM_MODE_OBJECT_CRTC,
	};
	struct drm_mode_get_property prop = {
		.values_ptr = BAD_PTR,
		.enum_blob_ptr = BAD_PTR,
	};
	uint32_t ids[64];
	uint64_t values[64];

	props.obj_id = first_crtc_and_connector(&conn.connector_id);

	igt_assert_eq(getter(DRM_IOCTL_MODE_GETCONNECTOR, &conn), 0);
	igt_assert(conn.count_modes >= 1);
	igt_assert(conn.count_props >= 1);
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETCONNECTOR, &conn), -EFAULT);

	igt_assert_eq(getter(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &props), 0);
	igt_assert(props.count_props >= 1 && props.count_props <= 64);
	igt_assert_eq(getter(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &props),
		      -EFAULT);

	/* A property with values: the first one of the CRTC will do. */
	props.props_ptr = (uintptr_t)ids;
	props.prop_values_ptr = (uintptr_t)values;
	igt_assert_eq(getter(DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &props), 0);
	prop.prop_id = ids[0];
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPROPERTY, &prop), 0);
	igt_assert(prop.name[0] != '\0');
	if (prop.count_values || prop.count_enum_blobs)
		igt_assert_eq(getter(DRM_IOCTL_MODE_GETPROPERTY, &prop),
			      -EFAULT);
}

static void test_plane(void)
{
	struct drm_mode_get_plane_res pres = { 0 };
	struct drm_mode_get_plane plane = { .format_type_ptr = BAD_PTR };
	uint32_t planes[64];

	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPLANERESOURCES, &pres), 0);
	igt_assert(pres.count_planes >= 1 && pres.count_planes <= 64);
	pres.plane_id_ptr = (uintptr_t)planes;
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPLANERESOURCES, &pres), 0);

	plane.plane_id = planes[0];
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPLANE, &plane), 0);
	igt_assert(plane.count_format_types >= 1);
	igt_assert_eq(getter(DRM_IOCTL_MODE_GETPLANE, &plane), -EFAULT);
}

igt_main
{
	igt_fixture {
		fd = vdisplay_open();
		igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES,
					      1), 0);
	}

	igt_subtest("resources-zero-counts")
		test_resources();
	igt_subtest("connector-and-properties-zero-counts")
		test_connector_and_properties();
	igt_subtest("plane-zero-counts")
		test_plane();

	igt_fixture {
		if (fd >= 0)
			close(fd);
	}
}
