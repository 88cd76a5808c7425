// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: KMS on vdisplay, the rest of ops_kms.c: legacy
 * SETCRTC/PAGE_FLIP/cursor/SETPLANE/DIRTYFB, the getters and object
 * properties, events, vblank waits and sequences, DRM master and client
 * caps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "fuzz.h"

/* ---- legacy ------------------------------------------------------------------- */

void fz_op_setcrtc(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	uint32_t *conns = (void *)(w->scratch + 16384);
	struct drm_mode_crtc a = { 0 };
	const struct drm_mode_modeinfo *mode;
	struct fz_fb *fb;

	if (fz_kms_not_master_skip(w))
		return;
	if (!f || !fz_cfg.kms.present)
		return;
	a.crtc_id = fz_maybe32(w, fz_cfg.kms.crtc);
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	mode = fb ? fz_kms_find_mode(fb->width, fb->height) : NULL;
	if (!mode)
		mode = fz_kms_pick_mode(w);
	if (fz_chance(w, 15)) {
		/* Off: no fb, no connectors. */
		a.fb_id = 0;
	} else if (mode) {
		a.mode = *mode;
		a.mode_valid = 1;
		conns[0] = fz_maybe32(w, fz_cfg.kms.conn);
		a.set_connectors_ptr = fz_maybe_ptr(w, conns, false);
		a.count_connectors = fz_maybe32(w, 1);
		if (fz_corrupt_p(w, 1)) {
			uint16_t *field = (uint16_t *)&a.mode + fz_rnd(w, 9);

			*field = fz_corrupt32(w, *field);
		}
	}
	a.x = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	a.y = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	if (a.mode_valid && fz_kms_low_refresh(&a.mode))
		return;
	fz_trace(w, "setcrtc fd %d crtc %u fb %u mode %ux%u conns %u", f->fd,
		 a.crtc_id, a.fb_id, a.mode.hdisplay, a.mode.vdisplay,
		 a.count_connectors);
	fz_ioctl(w, OP_setcrtc, f->fd, DRM_IOCTL_MODE_SETCRTC, &a);
}

void fz_op_page_flip(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_crtc_page_flip_target a = { 0 };
	struct fz_fb *fb;

	if (fz_kms_not_master_skip(w))
		return;
	if (!f || !fz_cfg.kms.present)
		return;
	a.crtc_id = fz_maybe32(w, fz_cfg.kms.crtc);
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	a.flags = fz_chance(w, 80) ? DRM_MODE_PAGE_FLIP_EVENT : 0;
	if (fz_chance(w, 5))
		a.flags |= DRM_MODE_PAGE_FLIP_ASYNC;
	if (fz_chance(w, 5)) {
		a.flags |= fz_chance(w, 50) ? DRM_MODE_PAGE_FLIP_TARGET_RELATIVE :
			   DRM_MODE_PAGE_FLIP_TARGET_ABSOLUTE;
		a.sequence = fz_rnd(w, 3);
	}
	a.flags = fz_maybe32(w, a.flags);
	a.user_data = fz_next(w);
	fz_trace(w, "page_flip fd %d fb %u flags %#x seq %u", f->fd, a.fb_id,
		 a.flags, a.sequence);
	fz_ioctl(w, OP_page_flip, f->fd, DRM_IOCTL_MODE_PAGE_FLIP, &a);
}

void fz_op_cursor(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_cursor2 a = { 0 };
	struct fz_handle *h;
	bool v2 = fz_chance(w, 30);

	if (fz_kms_not_master_skip(w))
		return;
	if (!f || !fz_cfg.kms.present)
		return;
	a.crtc_id = fz_maybe32(w, fz_cfg.kms.crtc);
	a.flags = fz_chance(w, 60) ? DRM_MODE_CURSOR_BO : DRM_MODE_CURSOR_MOVE;
	if (fz_chance(w, 20))
		a.flags = DRM_MODE_CURSOR_BO | DRM_MODE_CURSOR_MOVE;
	a.flags = fz_maybe32(w, a.flags);
	a.handle = fz_chance(w, 15) ? 0 : fz_handle_arg(w, f, &h);
	a.width = fz_maybe32(w, 64);
	a.height = fz_maybe32(w, 64);
	a.x = (int)fz_rnd(w, 800) - 100;
	a.y = (int)fz_rnd(w, 600) - 100;
	a.hot_x = fz_rnd(w, 64);
	a.hot_y = fz_rnd(w, 64);
	fz_trace(w, "cursor%s fd %d flags %#x handle %u %ux%u at %d,%d", v2 ? "2" : "",
		 f->fd, a.flags, a.handle, a.width, a.height, a.x, a.y);
	fz_ioctl(w, OP_cursor, f->fd,
		 v2 ? DRM_IOCTL_MODE_CURSOR2 : DRM_IOCTL_MODE_CURSOR, &a);
}

void fz_op_setplane(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_set_plane a = { 0 };
	struct fz_fb *fb;
	uint32_t wd, ht;

	if (fz_kms_not_master_skip(w))
		return;
	if (!f || !fz_cfg.kms.present)
		return;
	a.plane_id = fz_cfg.kms.cursor && fz_chance(w, 50) ? fz_cfg.kms.cursor :
		     fz_cfg.kms.primary;
	a.plane_id = fz_maybe32(w, a.plane_id);
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	a.crtc_id = a.fb_id ? fz_maybe32(w, fz_cfg.kms.crtc) : 0;
	wd = fb ? fb->width : 64;
	ht = fb ? fb->height : 64;
	a.crtc_w = fz_maybe32(w, wd);
	a.crtc_h = fz_maybe32(w, ht);
	a.src_w = fz_maybe32(w, wd << 16);
	a.src_h = fz_maybe32(w, ht << 16);
	a.crtc_x = fz_corrupt_p(w, 1) ? (int32_t)fz_corrupt32(w, 0) : 0;
	a.crtc_y = fz_corrupt_p(w, 1) ? (int32_t)fz_corrupt32(w, 0) : 0;
	a.src_x = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	a.flags = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "setplane fd %d plane %u crtc %u fb %u %ux%u", f->fd,
		 a.plane_id, a.crtc_id, a.fb_id, a.crtc_w, a.crtc_h);
	fz_ioctl(w, OP_setplane, f->fd, DRM_IOCTL_MODE_SETPLANE, &a);
}

void fz_op_dirtyfb(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_clip_rect *clips = (void *)(w->scratch + 16384);
	struct drm_mode_fb_dirty_cmd a = { 0 };
	struct fz_fb *fb;

	if (fz_kms_not_master_skip(w))
		return;
	if (!f)
		return;
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	a.num_clips = fz_rnd(w, 4);
	clips[0] = (struct drm_clip_rect){ 0, 0, 16, 16 };
	a.clips_ptr = fz_maybe_ptr(w, clips, false);
	a.flags = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "dirtyfb fd %d fb %u clips %u", f->fd, a.fb_id, a.num_clips);
	fz_ioctl(w, OP_dirtyfb, f->fd, DRM_IOCTL_MODE_DIRTYFB, &a);
}

/* ---- getters ------------------------------------------------------------------- */

void fz_op_kms_get(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	uint8_t *buf = w->scratch + 16384;
	const struct fz_kms *k = &fz_cfg.kms;
	uint32_t cnt = fz_chance(w, 50) ? 0 : fz_rnd(w, 8);

	if (!f)
		return;
	switch (fz_rnd(w, 7)) {
	case 0: {
		struct drm_mode_card_res a = { 0 };

		a.fb_id_ptr = a.crtc_id_ptr = a.connector_id_ptr = a.encoder_id_ptr =
			fz_maybe_ptr(w, buf, true);
		a.count_fbs = a.count_crtcs = a.count_connectors = a.count_encoders = cnt;
		fz_trace(w, "getresources fd %d count %u", f->fd, cnt);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_MODE_GETRESOURCES, &a);
		break;
	}
	case 1: {
		struct drm_mode_get_connector a = { 0 };

		a.connector_id = fz_maybe32(w, k->conn);
		a.encoders_ptr = fz_maybe_ptr(w, buf, true);
		a.modes_ptr = fz_maybe_ptr(w, buf + 1024, true);
		a.props_ptr = fz_maybe_ptr(w, buf + 8192, true);
		a.prop_values_ptr = fz_maybe_ptr(w, buf + 9216, true);
		/* count_modes 0 makes the master probe the connector. */
		a.count_modes = cnt;
		a.count_props = cnt;
		a.count_encoders = cnt ? 1 : 0;
		fz_trace(w, "getconnector fd %d conn %u count %u", f->fd, a.connector_id, cnt);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_MODE_GETCONNECTOR, &a);
		break;
	}
	case 2: {
		struct drm_mode_crtc a = { 0 };

		a.crtc_id = fz_maybe32(w, k->crtc);
		fz_trace(w, "getcrtc fd %d crtc %u", f->fd, a.crtc_id);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_MODE_GETCRTC, &a);
		break;
	}
	case 3: {
		struct drm_mode_get_encoder a = { 0 };

		a.encoder_id = fz_maybe32(w, k->enc);
		fz_trace(w, "getencoder fd %d enc %u", f->fd, a.encoder_id);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_MODE_GETENCODER, &a);
		break;
	}
	case 4: {
		struct drm_mode_get_plane a = { 0 };

		a.plane_id = fz_maybe32(w, fz_chance(w, 50) && k->cursor ? k->cursor : k->primary);
		a.format_type_ptr = fz_maybe_ptr(w, buf, true);
		a.count_format_types = cnt;
		fz_trace(w, "getplane fd %d plane %u", f->fd, a.plane_id);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_MODE_GETPLANE, &a);
		break;
	}
	case 5: {
		struct drm_mode_get_plane_res a = { 0 };

		a.plane_id_ptr = fz_maybe_ptr(w, buf, true);
		a.count_planes = cnt;
		fz_trace(w, "getplaneresources fd %d count %u", f->fd, cnt);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_MODE_GETPLANERESOURCES, &a);
		break;
	}
	default: {
		struct drm_get_cap a = { .capability = fz_rnd(w, 0x18) };

		fz_trace(w, "get_cap fd %d cap %#llx", f->fd, (unsigned long long)a.capability);
		fz_ioctl(w, OP_kms_get, f->fd, DRM_IOCTL_GET_CAP, &a);
		break;
	}
	}
}

void fz_op_obj_getprops(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	uint8_t *buf = w->scratch + 16384;
	const struct fz_kms *k = &fz_cfg.kms;
	uint32_t cnt = fz_chance(w, 50) ? 0 : fz_rnd(w, 16);

	if (!f || !k->nprops)
		return;
	switch (fz_rnd(w, 3)) {
	case 0: {
		struct drm_mode_obj_get_properties a = { 0 };
		const struct fz_prop *p = &k->props[fz_rnd(w, k->nprops)];

		a.obj_id = fz_maybe32(w, p->obj);
		a.obj_type = fz_maybe32(w, p->obj_type);
		a.props_ptr = fz_maybe_ptr(w, buf, true);
		a.prop_values_ptr = fz_maybe_ptr(w, buf + 1024, true);
		a.count_props = cnt;
		fz_trace(w, "obj_getproperties fd %d obj %u type %#x", f->fd, a.obj_id, a.obj_type);
		fz_ioctl(w, OP_obj_getprops, f->fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &a);
		break;
	}
	case 1: {
		struct drm_mode_get_property a = { 0 };

		a.prop_id = fz_maybe32(w, k->props[fz_rnd(w, k->nprops)].id);
		a.values_ptr = fz_maybe_ptr(w, buf, true);
		a.enum_blob_ptr = fz_maybe_ptr(w, buf + 1024, true);
		a.count_values = cnt;
		a.count_enum_blobs = cnt;
		fz_trace(w, "getproperty fd %d prop %u", f->fd, a.prop_id);
		fz_ioctl(w, OP_obj_getprops, f->fd, DRM_IOCTL_MODE_GETPROPERTY, &a);
		break;
	}
	default: {
		struct drm_mode_get_blob a = { 0 };

		a.blob_id = f->nblob && fz_chance(w, 70) ? f->blob[fz_rnd(w, f->nblob)] :
			    1 + fz_rnd(w, 128);
		a.length = fz_chance(w, 50) ? 0 : fz_rnd(w, 8192);
		a.data = fz_maybe_ptr(w, buf, true);
		fz_trace(w, "getpropblob fd %d blob %u len %u", f->fd, a.blob_id, a.length);
		fz_ioctl(w, OP_obj_getprops, f->fd, DRM_IOCTL_MODE_GETPROPBLOB, &a);
		break;
	}
	}
}

void fz_op_obj_setprop(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_obj_set_property a = { 0 };
	const struct fz_kms *k = &fz_cfg.kms;
	const struct fz_prop *p;

	if (fz_kms_not_master_skip(w))
		return;
	if (!f || !k->nprops)
		return;
	p = &k->props[fz_rnd(w, k->nprops)];
	a.obj_id = fz_maybe32(w, p->obj);
	a.obj_type = fz_maybe32(w, p->obj_type);
	a.prop_id = fz_maybe32(w, p->id);
	a.value = fz_kms_random_value(w, f, p);
	if (FZ_AVOID(AVOID_FENCE_NO_FB) && !strcmp(p->name, "IN_FENCE_FD") && (int64_t)a.value >= 0)
		return;	/* known: a fence on a plane that may have no FB */
	fz_trace(w, "obj_setprop fd %d obj %u prop %u (%s) value %#llx", f->fd,
		 a.obj_id, a.prop_id, p->name, (unsigned long long)a.value);
	fz_ioctl(w, OP_obj_setprop, f->fd, DRM_IOCTL_MODE_OBJ_SETPROPERTY, &a);
}

/* ---- events, vblank, master, caps ------------------------------------------------- */

void fz_op_read_events(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	size_t len = fz_chance(w, 90) ? 4096 : fz_rnd(w, 64);
	ssize_t n;

	if (!f)
		return;
	fz_trace(w, "read_events fd %d len %zu", f->fd, len);
	n = read(f->fd, w->scratch + 16384, len);
	fz_rec(w, OP_read_events, n < 0 ? -errno : 0);
}

void fz_op_wait_vblank(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	union drm_wait_vblank a;

	if (!f)
		return;
	memset(&a, 0, sizeof(a));
	a.request.type = _DRM_VBLANK_RELATIVE;
	if (fz_chance(w, 70))
		a.request.type |= _DRM_VBLANK_EVENT;
	if (fz_chance(w, 10))
		a.request.type |= _DRM_VBLANK_NEXTONMISS;
	a.request.sequence = fz_rnd(w, 3);
	a.request.type = fz_maybe32(w, a.request.type);
	a.request.signal = fz_next(w);
	fz_trace(w, "wait_vblank fd %d type %#x seq %u", f->fd, a.request.type,
		 a.request.sequence);
	fz_ioctl(w, OP_wait_vblank, f->fd, DRM_IOCTL_WAIT_VBLANK, &a);
}

void fz_op_crtc_sequence(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);

	if (!f)
		return;
	if (fz_chance(w, 50)) {
		struct drm_crtc_get_sequence a = { .crtc_id = fz_maybe32(w, fz_cfg.kms.crtc) };

		fz_trace(w, "crtc_get_sequence fd %d crtc %u", f->fd, a.crtc_id);
		fz_ioctl(w, OP_crtc_sequence, f->fd, DRM_IOCTL_CRTC_GET_SEQUENCE, &a);
	} else {
		struct drm_crtc_queue_sequence a = { .crtc_id = fz_maybe32(w, fz_cfg.kms.crtc) };

		a.flags = fz_maybe32(w, DRM_CRTC_SEQUENCE_RELATIVE |
				     (fz_chance(w, 30) ? DRM_CRTC_SEQUENCE_NEXT_ON_MISS : 0));
		a.sequence = fz_rnd(w, 4);
		a.user_data = fz_next(w);
		fz_trace(w, "crtc_queue_sequence fd %d crtc %u flags %#x seq %llu", f->fd,
			 a.crtc_id, a.flags, (unsigned long long)a.sequence);
		fz_ioctl(w, OP_crtc_sequence, f->fd, DRM_IOCTL_CRTC_QUEUE_SEQUENCE, &a);
	}
}

/*
 * One master per device: the workers take turns on vdisplay. A master
 * drops now and then; a file that is not master asks to become it (-EBUSY
 * while another one is).
 */
void fz_op_master(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, fz_chance(w, 80) ? PICK_KMS : PICK_CARD);
	bool set;

	if (!f)
		return;
	set = f->master ? fz_chance(w, 60) : fz_chance(w, 90);
	fz_trace(w, "%s_master fd %d", set ? "set" : "drop", f->fd);
	if (fz_ioctl(w, OP_master, f->fd,
		     set ? DRM_IOCTL_SET_MASTER : DRM_IOCTL_DROP_MASTER, NULL))
		return;
	f->master = set;
}

void fz_op_client_cap(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_set_client_cap a = { 0 };

	if (!f)
		return;
	a.capability = 1 + fz_rnd(w, 6);
	/* Mostly on: atomic off hides the plane properties. */
	a.value = fz_chance(w, 80) ? 1 : fz_chance(w, 50) ? 0 : fz_corrupt64(w, 2);
	fz_trace(w, "set_client_cap fd %d cap %llu value %llu", f->fd,
		 (unsigned long long)a.capability, (unsigned long long)a.value);
	fz_ioctl(w, OP_client_cap, f->fd, DRM_IOCTL_SET_CLIENT_CAP, &a);
}
