#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure Debian's linux-source-6.1 as a small x86_64 debug kernel for vprime:
# KASAN (generic, inline), lockdep, kmemleak, DMA-API and dma-buf debugging.
# About 19 minutes to build on 2 cores; boots under TCG in about 30 s.
set -e
cd "${1:-.}"
make x86_64_defconfig
S=scripts/config
# --- wanted features ---
$S -e DRM -e DRM_VIRTIO_GPU -m DRM_VGEM -m DRM_VKMS -e DRM_GEM_SHMEM_HELPER \
   -e DMA_SHARED_BUFFER -e SYNC_FILE -e SW_SYNC -e UDMABUF -e MEMFD_CREATE \
   -e DEBUG_KERNEL \
   -e KASAN -e KASAN_GENERIC -e KASAN_INLINE -d KASAN_OUTLINE -d KASAN_VMALLOC \
   -e PROVE_LOCKING -e DEBUG_ATOMIC_SLEEP -e DEBUG_KMEMLEAK -e DMABUF_DEBUG \
   -e DMA_API_DEBUG -e DEBUG_VM \
   -e KUNIT -m DRM_KUNIT_TEST -d KUNIT_ALL_TESTS \
   -e OVERLAY_FS -e TMPFS -e MODULES -e MODULE_UNLOAD -e DEVTMPFS -e DEVTMPFS_MOUNT -e BLK_DEV_INITRD \
   -e SERIAL_8250 -e SERIAL_8250_CONSOLE \
   -e NET_9P -e NET_9P_VIRTIO -e 9P_FS -e VIRTIO_PCI -e VIRTIO_BLK -e VIRTIO_CONSOLE
# --- debug info OFF, no -Werror ---
$S -e DEBUG_INFO_NONE -d DEBUG_INFO -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
   -d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_BTF -d WERROR
# --- drop slow/unneeded stuff ---
$S -d SOUND -d SND -d CFG80211 -d MAC80211 -d WLAN -d WIRELESS -d RFKILL \
   -d ETHERNET -d NET_VENDOR_INTEL -d TIGON3 -d E100 -d E1000 -d E1000E -d SKY2 \
   -d FORCEDETH -d 8139TOO -d R8169 -d NET_TULIP \
   -d DRM_I915 -d AGP -d USB_SUPPORT -d USB -d PCCARD -d NFS_FS -d ROOT_NFS \
   -d NETFILTER -d HID_SONY -d EEEPC_LAPTOP -d MACINTOSH_DRIVERS
make olddefconfig
