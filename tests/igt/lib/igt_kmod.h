// SPDX-License-Identifier: MIT
/*
 * Module helpers: IGT's igt_kmod_*() and vrender's unload/reload.
 */
#ifndef IGT_KMOD_H
#define IGT_KMOD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * IGT's module API (lib/igt_kmod.h in igt-gpu-tools), same signatures:
 * whether @mod_name is loaded; load it (modprobe, with @opts) or unload it
 * (delete_module(2) with @flags, e.g. O_NONBLOCK). 0 or -errno; loading a
 * loaded module is 0.
 */
bool igt_kmod_is_loaded(const char *mod_name);
int igt_kmod_load(const char *mod_name, const char *opts);
int igt_kmod_unload(const char *mod_name, unsigned int flags);

int __delete_module(const char *name, unsigned int flags);
int __finit_module(const char *path, const char *params);

/*
 * "name=value ..." for every readable parameter of @mod, sorted by name;
 * false if the module is not loaded.
 */
bool module_params_string(const char *mod, char *buf, size_t len);

/*
 * $VPRIME_MODDIR/drivers/gpu/drm/vrender/vrender.ko: __ returns -errno if
 * unset or unreadable, the other skips.
 */
int __vrender_ko_path(char *buf, size_t len);
void vrender_ko_path(char *buf, size_t len);

/*
 * Wait up to @timeout_ms for @mod's reference count to drop to zero: after
 * its last user is gone, what a module releases from a workqueue (vrender's
 * jobs, for one) still holds it for a moment. False if it did not.
 */
bool module_wait_unused(const char *mod, int timeout_ms);

/*
 * Unload vrender (if loaded, once unused: see above) and load it with
 * @params; 0 or -errno.
 */
int __vrender_reload(const char *params);
void vrender_reload(const char *params);

/* Unmap DRM/dma-buf mappings and close DRM/dma-buf fds of this process. */
void drop_drm_references(void);

#endif /* IGT_KMOD_H */
