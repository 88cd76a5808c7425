// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay CRC source: the CRC32 of each composed frame.
 */

#include <linux/string.h>

#include <drm/drm_crtc.h>
#include <drm/drm_vblank.h>

#include "vdisplay_drv.h"

/**
 * DOC: CRC
 *
 * The CRTC has one CRC source, "auto": one value per vblank, the CRC32
 * (crc32_le() seeded with 0) of the composed XRGB8888 frame (see "composer").
 * It is driven through DRM's debugfs interface, crtc-N/crc/control and
 * crtc-N/crc/data, as IGT's pipe-CRC library does. While the source is
 * selected a vblank reference is held, so the vblank timer runs and every
 * vblank gets its entry.
 */

static const char *const vdisplay_crc_sources[] = { "auto" };

/* NULL (or "none") turns CRCs off; "auto" on; anything else is invalid. */
static int vdisplay_crc_parse_source(const char *source, bool *enabled)
{
	if (!source || !strcmp(source, "none")) {
		*enabled = false;
		return 0;
	}
	if (!strcmp(source, "auto")) {
		*enabled = true;
		return 0;
	}
	return -EINVAL;
}

/**
 * vdisplay_get_crc_sources - &drm_crtc_funcs.get_crc_sources
 * @crtc: the CRTC
 * @count: returns the number of sources
 *
 * Returns: the names of the CRC sources.
 */
const char *const *vdisplay_get_crc_sources(struct drm_crtc *crtc,
					    size_t *count)
{
	*count = ARRAY_SIZE(vdisplay_crc_sources);
	return vdisplay_crc_sources;
}

/**
 * vdisplay_verify_crc_source - &drm_crtc_funcs.verify_crc_source
 * @crtc: the CRTC
 * @source: the source name, NULL for none
 * @values_cnt: returns the number of values per entry
 *
 * Returns: 0 or -EINVAL for an unknown source.
 */
int vdisplay_verify_crc_source(struct drm_crtc *crtc, const char *source,
			       size_t *values_cnt)
{
	bool enabled;

	if (vdisplay_crc_parse_source(source, &enabled))
		return -EINVAL;
	*values_cnt = 1;
	return 0;
}

/**
 * vdisplay_set_crc_source - &drm_crtc_funcs.set_crc_source
 * @crtc: the CRTC
 * @source: the source name, NULL for none
 *
 * Returns: 0, -EINVAL for an unknown source, or the error of
 * drm_crtc_vblank_get() if the CRTC is off.
 */
int vdisplay_set_crc_source(struct drm_crtc *crtc, const char *source)
{
	struct vdisplay_pipe *pipe = crtc_to_pipe(crtc);
	bool enabled, was;
	int ret;

	ret = vdisplay_crc_parse_source(source, &enabled);
	if (ret)
		return ret;

	spin_lock_irq(&pipe->lock);
	was = pipe->crc_enabled;
	spin_unlock_irq(&pipe->lock);
	if (enabled == was)
		return 0;

	if (enabled) {
		ret = drm_crtc_vblank_get(crtc);
		if (ret)
			return ret;
	}

	spin_lock_irq(&pipe->lock);
	pipe->crc_enabled = enabled;
	spin_unlock_irq(&pipe->lock);

	if (!enabled)
		drm_crtc_vblank_put(crtc);
	return 0;
}
