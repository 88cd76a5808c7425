// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: a bounded, seeded fuzzer of vrender, vdisplay and the
 * dma-bufs between them. Shared definitions of the worker state, the
 * pools of live objects, the operation table and the statistics.
 *
 * A worker is one process with its own pools: DRM files (card and render
 * nodes of every device) with their GEM handles, syncobjs, vgem fences,
 * framebuffers and property blobs; dma-buf, sync_file and syncobj fds;
 * CPU mappings. Each operation draws its arguments mostly from the pools
 * (valid), sometimes corrupted (fz_corrupt*() and friends), issues one
 * syscall, records its errno and feeds what it made back into the pools.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <drm.h>
#include <drm_mode.h>
#include <vrender_drm.h>

#define FZ_MAX_DEVS		17	/* 16 vrender devices + vdisplay */
#define FZ_MAX_WORKERS		16
#define FZ_MAX_FILES		12
#define FZ_MAX_HANDLES		24
#define FZ_MAX_SYNCOBJS		12
#define FZ_MAX_VFENCES		16
#define FZ_MAX_FBS		8
#define FZ_MAX_BLOBS		8
#define FZ_MAX_FDS		24
#define FZ_MAX_MAPS		24
#define FZ_MAX_FLINKS		24
#define FZ_STALE		16
#define FZ_MAX_PROPS		64
#define FZ_MAX_MODES		32
#define FZ_MAX_DEBUGFS		96

/* Sizes the pools aim at; larger ones are deliberate corruptions. */
#define FZ_PAGE			4096ull
#define FZ_BIG_SIZE		(8ull << 20)
/* A buffer above this is "huge": only a corruption can make one. */
#define FZ_HUGE_SIZE		(1ull << 30)
/* A PMD's worth: buffers of whole ones map 2 MiB at a time. */
#define FZ_HUGE_PAGE		(2ull << 20)
/*
 * Between the two: a legal size a corruption made (a 300 MiB dumb buffer,
 * say). Closed at once: one job on it pins all of it, and the guest has
 * 2 GiB.
 */
#define FZ_KEEP_MAX		(64ull << 20)

/* Histogram buckets: 0 success, 1..133 errno, then the extras. */
#define FZ_E_SIGBUS		134
#define FZ_E_SIGSEGV		135
#define FZ_E_OTHER		136
#define FZ_NERR			137

/* Last operations of each worker, for triage of a splat or a hang. */
#define FZ_RING			256
#define FZ_RING_LEN		176

/*
 * The operations: name and weight. Weight 0: a syscall recorded under its
 * own name as part of another operation (never picked by itself).
 */
#define FZ_OPS(X) \
	X(gem_create, 40) X(gem_info, 12) X(fence_attach, 12) \
	X(fence_signal, 10) X(submit_fill, 30) X(submit_copy, 25) \
	X(gem_close, 22) X(gem_flink, 5) X(gem_open, 5) \
	X(prime_export, 24) X(prime_import, 24) X(dumb_create, 12) \
	X(map_dumb, 10) X(dumb_destroy, 5) \
	X(syncobj_create, 10) X(syncobj_destroy, 5) X(syncobj_to_fd, 6) \
	X(syncobj_from_fd, 6) X(syncobj_wait, 6) X(syncobj_timeline_wait, 6) \
	X(syncobj_reset, 4) X(syncobj_signal, 4) \
	X(syncobj_timeline_signal, 4) X(syncobj_query, 4) \
	X(syncobj_transfer, 5) X(syncobj_eventfd, 2) \
	X(dmabuf_sync, 20) X(dmabuf_set_name, 4) \
	X(dmabuf_export_sync_file, 10) X(dmabuf_import_sync_file, 8) \
	X(fd_poll, 4) X(sync_merge, 4) X(sync_info, 4) \
	X(mmap_gem, 12) X(mmap_dmabuf, 12) X(munmap, 10) X(mremap, 4) \
	X(mprotect, 4) X(madvise, 2) X(touch, 25) X(fork_touch, 1) \
	X(addfb2, 12) X(rmfb, 5) X(closefb, 1) X(getfb, 3) X(getfb2, 4) \
	X(setcrtc, 4) X(page_flip, 6) X(atomic, 22) X(create_blob, 6) \
	X(destroy_blob, 4) X(cursor, 4) X(setplane, 3) X(kms_get, 3) \
	X(obj_getprops, 2) X(obj_setprop, 3) X(read_events, 8) \
	X(wait_vblank, 3) X(crtc_sequence, 2) X(master, 6) \
	X(client_cap, 2) X(dirtyfb, 1) \
	X(close_fd, 8) X(reopen, 2) X(debugfs_read, 4) X(debugfs_write, 3) \
	X(send_fd, 4) X(recv_fd, 4) X(dup_fd, 2)

enum fz_op {
#define FZ_OP_ENUM(name, weight) OP_##name,
	FZ_OPS(FZ_OP_ENUM)
#undef FZ_OP_ENUM
	FZ_NOPS
};

extern const char *const fz_op_names[FZ_NOPS];

/* Shared with the parent: written by the worker, read by the parent. */
struct fz_wstate {
	pid_t pid;
	volatile int op;			/* running operation, -1 none */
	volatile int64_t op_start_ns;
	volatile uint64_t calls;		/* recorded syscalls */
	volatile uint64_t ops;			/* operations run */
	volatile uint32_t oracle_failures;
	volatile uint32_t huge_accepted;
	volatile uint32_t child_hangs;
	volatile int done;
	volatile uint32_t ring_pos;
	struct {
		int64_t ns;		/* CLOCK_MONOTONIC at the start */
		char text[FZ_RING_LEN];
	} ring[FZ_RING];
};

struct fz_shared {
	volatile int stop;			/* the parent asks workers to stop */
	uint64_t hist[FZ_MAX_WORKERS][FZ_NOPS][FZ_NERR];
	uint64_t op_ns[FZ_MAX_WORKERS][FZ_NOPS];	/* time in each operation */
	struct fz_wstate ws[FZ_MAX_WORKERS];
};

/* ---- devices and what the parent discovered before forking ---------- */

struct fz_dev {
	char name[32];		/* vrender.N or vdisplay.0 */
	char card[64];		/* /dev/dri/cardN */
	char render[64];	/* /dev/dri/renderDN, "" if none */
	char engine[192];	/* its debugfs vrender_engine, "" if none */
	bool kms;
};

struct fz_prop {
	uint32_t obj;
	uint32_t obj_type;
	uint32_t id;
	uint32_t flags;
	char name[DRM_PROP_NAME_LEN];
	uint64_t min, max;
	int nvalues;
	uint64_t values[8];
};

struct fz_kms {
	bool present;
	int dev;
	uint32_t crtc, conn, enc, primary, cursor;
	int nprops;
	struct fz_prop props[FZ_MAX_PROPS];
	int nmodes;
	struct drm_mode_modeinfo modes[FZ_MAX_MODES];
};

struct fz_debugfs {
	char path[160];
	bool writable;		/* has a write method worth calling */
};

struct fz_config {
	uint64_t seed;
	uint64_t calls;		/* total budget over all workers */
	double seconds;		/* time budget */
	int procs;
	int corrupt_pct;	/* share of corrupted arguments, 0..100 */
	unsigned int avoid;	/* AVOID_* patterns to skip */
	bool stop_on_splat;
	bool verbose;
	const char *trace_dir;	/* per-worker trace files, or NULL */
	bool op_enabled[FZ_NOPS];
	int op_weight[FZ_NOPS];
	double op_timeout;	/* one operation longer than this: a hang */

	int ndevs;
	struct fz_dev devs[FZ_MAX_DEVS];
	struct fz_kms kms;
	int ndebugfs;
	struct fz_debugfs debugfs[FZ_MAX_DEBUGFS];
};

/*
 * Argument patterns of kernel bugs, skipped on request (--avoid-known or
 * --avoid NAME,...), so that the fuzzer can go on while they are being
 * fixed. CI never skips them.
 */
enum {
	AVOID_HUGE		= 1u << 0,	/* known: GEM_CREATE/dumb of any size */
	AVOID_RO_IMPORT		= 1u << 1,	/* known: read-only dma-buf writable via importer */
	AVOID_GETFB_EXPORT	= 1u << 2,	/* known: GETFB2 handle re-export WARN */
	AVOID_FENCE_NO_FB	= 1u << 3,	/* known: IN_FENCE_FD with FB_ID 0 */
	AVOID_LOW_REFRESH	= 1u << 4,	/* found: modes below 10 Hz WARN */
};
#define AVOID_ALL		0x1fu
#define FZ_AVOID(x)		(fz_cfg.avoid & (x))
extern const char *const fz_avoid_names[];

extern struct fz_config fz_cfg;
extern struct fz_shared *fz_shared;

/* ---- per-worker pools ------------------------------------------------ */

enum fz_hflags {
	H_DUMB		= 1u << 0,	/* from CREATE_DUMB (w, h, pitch known) */
	H_FOREIGN	= 1u << 1,	/* imported from another device */
	H_RO		= 1u << 2,	/* foreign import of a read-only dma-buf */
	H_HUGE		= 1u << 3,	/* a huge size the kernel accepted */
	H_GETFB		= 1u << 4,	/* from GETFB/GETFB2 */
	H_TRACK		= 1u << 5,
	H_STRICT	= 1u << 6,
};

struct fz_handle {
	uint32_t h;
	uint32_t flags;
	uint64_t size;		/* 0 if unknown */
	uint32_t width, height, pitch;
	int origin;		/* exporting device, -1 unknown */
};

struct fz_syncobj {
	uint32_t h;
	uint64_t point;		/* last timeline point used */
};

struct fz_fb {
	uint32_t id;
	uint32_t width, height;
	uint32_t format;
};

struct fz_file {
	int fd;
	int dev;
	bool render;
	bool received;		/* shared with another worker */
	bool master;		/* DRM master, as far as we know */
	int nh;
	struct fz_handle hs[FZ_MAX_HANDLES];
	int nso;
	struct fz_syncobj so[FZ_MAX_SYNCOBJS];
	int nvf;
	uint32_t vf[FZ_MAX_VFENCES];
	int nfb;
	struct fz_fb fb[FZ_MAX_FBS];
	int nblob;
	uint32_t blob[FZ_MAX_BLOBS];
};

enum fz_fdkind { FD_DMABUF, FD_SYNCFILE, FD_SYNCOBJ, FZ_NFDKINDS };

struct fz_fd {
	int fd;
	int origin;		/* dma-buf: exporting device, -1 unknown */
	bool rdwr;		/* dma-buf: opened O_RDWR */
	uint64_t size;		/* dma-buf: size */
	uint32_t bracket;	/* dma-buf: open DMA_BUF_SYNC_* bracket, 0 none */
};

/* Why a mapping may not become writable. */
#define MAP_RO_DMABUF	1	/* of a read-only dma-buf fd: VFS says no */
#define MAP_RO_IMPORT	2	/* importer's GEM mmap of a read-only dma-buf */

struct fz_map {
	uint8_t *addr;
	size_t len;
	int prot;
	bool dmabuf;
	int ro;			/* MAP_RO_* or 0 */
};

struct fz_flink {
	uint32_t name;
	int dev;
	int fd;			/* the file and handle it was made from */
	uint32_t h;
	uint64_t size;
};

struct fz_worker {
	int idx;
	uint64_t rng[4];
	uint64_t budget;
	int64_t deadline_ns;
	struct fz_wstate *ws;
	uint64_t (*hist)[FZ_NERR];
	int trace_fd;

	int nfiles;
	struct fz_file files[FZ_MAX_FILES];
	int nfds[FZ_NFDKINDS];
	struct fz_fd fds[FZ_NFDKINDS][FZ_MAX_FDS];
	int nmaps;
	struct fz_map maps[FZ_MAX_MAPS];
	int nflinks;
	struct fz_flink flinks[FZ_MAX_FLINKS];

	/* Recently released values, for stale arguments. */
	uint32_t stale_handles[FZ_STALE];
	int stale_fds[FZ_STALE];
	uint32_t stale_ids[FZ_STALE];	/* fbs, blobs, syncobjs */
	unsigned int stale_h_pos, stale_fd_pos, stale_id_pos;

	int sock_send, sock_recv;

	/* Memory the kernel may read or write when told to. */
	uint8_t *scratch;		/* FZ_SCRATCH bytes, then a guard page */
	uint8_t *ro_page;		/* read-only page */
	uint8_t *hole;			/* PROT_NONE page */
	int32_t out_fence[4];		/* OUT_FENCE_PTR targets */

	/* Jobs queued on each device's engine, from its debugfs file. */
	unsigned int queued[FZ_MAX_DEVS];

	sigjmp_buf touch_jmp;
	volatile sig_atomic_t in_touch;
	uint64_t op_seq;
};

#define FZ_SCRATCH	(16 * 4096)

/* ---- util.c ----------------------------------------------------------- */

void fz_rng_seed(uint64_t s[4], uint64_t seed);
uint64_t fz_next(struct fz_worker *w);
/* Uniform in [0, n); 0 if n is 0. */
uint64_t fz_rnd(struct fz_worker *w, uint64_t n);
/* True with probability pct/100. */
bool fz_chance(struct fz_worker *w, unsigned int pct);
/* True with the configured corruption probability (scaled by @scale/4). */
bool fz_corrupt_p(struct fz_worker *w, unsigned int scale);
/* Log-uniform in [1, max]. */
uint64_t fz_logrnd(struct fz_worker *w, uint64_t max);

/* A corrupted version of @v: bit flips, boundaries, neighbours, garbage. */
uint64_t fz_corrupt64(struct fz_worker *w, uint64_t v);
uint32_t fz_corrupt32(struct fz_worker *w, uint32_t v);
/* Mostly @v; corrupted with the configured probability. */
uint64_t fz_maybe64(struct fz_worker *w, uint64_t v);
uint32_t fz_maybe32(struct fz_worker *w, uint32_t v);
/* A huge size the kernel must refuse: ~4 GiB, 16 TiB, 2^63, ~0, ... */
uint64_t fz_huge_size(struct fz_worker *w);
/* A user pointer that is bad in some way (NULL, kernel, unmapped, RO). */
uint64_t fz_bad_ptr(struct fz_worker *w, bool kernel_writes);
/* @p, or sometimes a bad pointer instead. */
uint64_t fz_maybe_ptr(struct fz_worker *w, const void *p, bool kernel_writes);
/* A garbage fd number: negative, huge, stale, stdio. */
int fz_bad_fd(struct fz_worker *w);

int64_t fz_now_ns(void);

/* Record one syscall's outcome (ret < 0: errno) under @op. */
void fz_rec(struct fz_worker *w, enum fz_op op, int ret_errno);
/* ioctl that records its errno under @op; returns 0 or -errno. */
int fz_ioctl(struct fz_worker *w, enum fz_op op, int fd, unsigned long req,
	     void *arg);
/* Describe the operation about to run (ring and trace file). */
void fz_trace(struct fz_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An oracle saw the kernel break its documented contract. */
void fz_oracle(struct fz_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_note(struct fz_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Back-pressure: jobs that wait for fences hold their engine, and a worker
 * that keeps submitting builds a queue that any CPU access to a strict
 * buffer then waits for (minutes with KASAN). Submits pause while an
 * engine has more than this many jobs queued.
 */
#define FZ_MAX_QUEUED		24
void fz_read_engines(struct fz_worker *w);

/* ---- pool.c ----------------------------------------------------------- */

/* Files: pick one (kind filter), open, close. */
#define PICK_ANY	0
#define PICK_VRENDER	1	/* a vrender node, card or render */
#define PICK_CARD	2	/* a primary node (dumb buffers) */
#define PICK_KMS	3	/* vdisplay */
struct fz_file *fz_pick_file(struct fz_worker *w, int kind);
int fz_open_node(struct fz_worker *w, int dev, bool render);
void fz_file_release(struct fz_worker *w, struct fz_file *f);
bool fz_is_vrender(int dev);

struct fz_handle *fz_pick_handle(struct fz_worker *w, struct fz_file *f);
/* A handle argument: mostly live, sometimes stale, foreign or garbage. */
uint32_t fz_handle_arg(struct fz_worker *w, struct fz_file *f,
		       struct fz_handle **hp);
struct fz_handle *fz_add_handle(struct fz_worker *w, struct fz_file *f,
				uint32_t h, uint64_t size, uint32_t flags,
				int origin);
struct fz_handle *fz_find_handle(struct fz_file *f, uint32_t h);
void fz_forget_handle(struct fz_worker *w, struct fz_file *f, uint32_t h);
/* False (and the handle closed) for a size between FZ_KEEP_MAX and huge. */
bool fz_keep_size(struct fz_worker *w, struct fz_file *f, uint32_t h,
		  uint64_t size);

struct fz_syncobj *fz_pick_syncobj(struct fz_file *f, struct fz_worker *w);
uint32_t fz_syncobj_arg(struct fz_worker *w, struct fz_file *f,
			struct fz_syncobj **sp);
void fz_add_syncobj(struct fz_worker *w, struct fz_file *f, uint32_t h);
void fz_forget_syncobj(struct fz_worker *w, struct fz_file *f, uint32_t h);

/* fds of a kind: add (closes one if full), pick, forget, release. */
struct fz_fd *fz_add_fd(struct fz_worker *w, enum fz_fdkind kind, int fd);
struct fz_fd *fz_pick_fd(struct fz_worker *w, enum fz_fdkind kind);
/* An fd argument: mostly of @kind, sometimes of another kind or garbage. */
int fz_fd_arg(struct fz_worker *w, enum fz_fdkind kind, struct fz_fd **fp);
struct fz_fd *fz_find_fd(struct fz_worker *w, enum fz_fdkind kind, int fd);
void fz_close_fd(struct fz_worker *w, enum fz_fdkind kind, struct fz_fd *f);
/* Any pool fd of any kind, or a DRM file's: closes it, updates pools. */
void fz_close_random(struct fz_worker *w);

struct fz_map *fz_add_map(struct fz_worker *w, void *addr, size_t len,
			  int prot, bool dmabuf);
void fz_forget_map(struct fz_worker *w, struct fz_map *m);

uint32_t fz_stale_id(struct fz_worker *w);
void fz_remember_id(struct fz_worker *w, uint32_t id);

/* Adopt fds nobody tracks (written by the kernel to odd places). */
void fz_sweep_fds(struct fz_worker *w);
bool fz_fd_is_pooled(struct fz_worker *w, int fd);

/* ---- the operations (ops_*.c) ---------------------------------------- */

typedef void (*fz_op_fn)(struct fz_worker *w);
extern const fz_op_fn fz_op_fns[FZ_NOPS];

#define FZ_DECLARE_OP(name, weight) void fz_op_##name(struct fz_worker *w);
FZ_OPS(FZ_DECLARE_OP)
#undef FZ_DECLARE_OP

/* Helpers shared by the operation files. */
int fz_export(struct fz_worker *w, struct fz_file *f, struct fz_handle *h,
	      uint32_t flags);
void fz_make_buffer(struct fz_worker *w, struct fz_file *f);
void fz_make_sync_file(struct fz_worker *w);
uint64_t fz_pool_size(struct fz_worker *w);
/* Run @fn over the mapping with SIGBUS/SIGSEGV caught; returns 0 or the signal. */
int fz_touch_range(struct fz_worker *w, uint8_t *p, size_t len, bool write,
		   uint32_t seed);

/* ops_kms.c: helpers ops_kms_legacy.c shares. */
bool fz_kms_not_master_skip(struct fz_worker *w);
uint32_t fz_kms_fb_arg(struct fz_worker *w, struct fz_file *f, struct fz_fb **fbp);
const struct drm_mode_modeinfo *fz_kms_pick_mode(struct fz_worker *w);
const struct drm_mode_modeinfo *fz_kms_find_mode(uint32_t wd, uint32_t ht);
bool fz_kms_low_refresh(const struct drm_mode_modeinfo *m);
uint64_t fz_kms_random_value(struct fz_worker *w, struct fz_file *f,
			     const struct fz_prop *p);

/* discover.c: fill fz_cfg before the workers start. */
void fz_discover_devices(void);
void fz_discover_kms(void);
void fz_discover_debugfs(void);

/* report.c: what the parent prints. */
bool fz_scan_kmsg(int kfd, bool *reported, int64_t *at_ns, int *pid);
void fz_dump_splat(int64_t at_ns, int pid);
void fz_dump_ring(int idx, int64_t at_ns, unsigned int n);
void fz_print_file(const char *what, pid_t pid, const char *name);
void fz_diag_stuck(pid_t pid);
void fz_print_primegem_totals(void);
void fz_print_engines(void);
void fz_print_report(double secs, int procs);

#endif /* FUZZ_H */
