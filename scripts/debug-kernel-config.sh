#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure Debian's linux-source-6.12 as a small x86_64 debug kernel for
# vprime: KASAN (generic, inline), lockdep, kmemleak, UBSAN bounds, debug
# objects, DMA-API and dma-buf debugging, the hung-task detector, and stack
# variables left uninitialised (INIT_STACK_NONE) so that reading one is not
# hidden by the zeroing Debian's kernels do. Stock vgem and vkms (for the
# upstream tier and the comparisons) and gpu-sched (selected by etnaviv, the
# smallest driver that builds on x86 and selects it) are modules.
# About 25 minutes to build on 2 cores; boots under TCG in about 30 s.
#
#   scripts/debug-kernel-config.sh SRC [BUILD]   (BUILD: the O= directory)
set -euo pipefail
src=$1
out=${2:-$1}
k() { make -C "$src" O="$out" "$@"; }
S() { "$src/scripts/config" --file "$out/.config" "$@"; }

k x86_64_defconfig
# --- wanted features ---
S -e DRM -m DRM_VGEM -m DRM_VKMS -m DRM_ETNAVIV -d DRM_ETNAVIV_THERMAL \
  -d DRM_FBDEV_EMULATION \
  -e DMA_SHARED_BUFFER -e SYNC_FILE -e SW_SYNC -e UDMABUF -e MEMFD_CREATE \
  -e TRANSPARENT_HUGEPAGE -e CONFIGFS_FS \
  -e DEBUG_KERNEL \
  -e KASAN -e KASAN_GENERIC -e KASAN_INLINE -d KASAN_OUTLINE -d KASAN_VMALLOC \
  -e UBSAN -e UBSAN_BOUNDS -d UBSAN_ALIGNMENT \
  -e PROVE_LOCKING -e DEBUG_ATOMIC_SLEEP -e DEBUG_WW_MUTEX_SLOWPATH \
  -e DEBUG_KMEMLEAK -e DMABUF_DEBUG -e DMA_API_DEBUG -e DEBUG_VM \
  -e DEBUG_OBJECTS -e DEBUG_OBJECTS_TIMERS -e DEBUG_OBJECTS_WORK \
  -e DEBUG_OBJECTS_FREE \
  -e DETECT_HUNG_TASK --set-val DEFAULT_HUNG_TASK_TIMEOUT 60 \
  -e SOFTLOCKUP_DETECTOR \
  -e INIT_STACK_NONE -d INIT_STACK_ALL_ZERO -d INIT_STACK_ALL_PATTERN \
  -e FAULT_INJECTION -e FAILSLAB -e FAULT_INJECTION_DEBUG_FS \
  -d KUNIT \
  -e OVERLAY_FS -e TMPFS -e MODULES -e MODULE_UNLOAD -e DEVTMPFS \
  -e DEVTMPFS_MOUNT -e BLK_DEV_INITRD \
  -e SERIAL_8250 -e SERIAL_8250_CONSOLE \
  -e NET_9P -e NET_9P_VIRTIO -e 9P_FS -e VIRTIO_PCI -e VIRTIO_BLK \
  -e VIRTIO_CONSOLE
# --- debug info off, no -Werror ---
S -e DEBUG_INFO_NONE -d DEBUG_INFO -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
  -d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_BTF -d WERROR
# --- drop slow or unneeded parts ---
S -d SOUND -d SND -d CFG80211 -d MAC80211 -d WLAN -d WIRELESS -d RFKILL \
  -d ETHERNET -d NET_VENDOR_INTEL -d TIGON3 -d E100 -d E1000 -d E1000E \
  -d SKY2 -d FORCEDETH -d 8139TOO -d R8169 -d NET_TULIP \
  -d DRM_I915 -d DRM_XE -d AGP -d USB_SUPPORT -d USB -d PCCARD -d NFS_FS \
  -d ROOT_NFS -d NETFILTER -d HID_SONY -d EEEPC_LAPTOP -d MACINTOSH_DRIVERS
k olddefconfig
