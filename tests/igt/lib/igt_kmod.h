// SPDX-License-Identifier: MIT
/*
 * Module unload/reload helpers for vrender.
 */
#ifndef IGT_KMOD_H
#define IGT_KMOD_H

#include <stdbool.h>
#include <stddef.h>

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
