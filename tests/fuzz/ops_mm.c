// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: CPU mappings of GEM objects (MAP_DUMB offsets, on the
 * exporter and on importers) and of dma-bufs; munmap, mremap, mprotect,
 * madvise; touches with SIGBUS/SIGSEGV survived; fork-and-touch.
 *
 * Only our own mappings are ever touched, unmapped or remapped, and never
 * with MAP_FIXED: a bad address goes to the kernel, never to memory.
 *
 * Oracles (README, "PRIME and mmap semantics"): MAP_PRIVATE is refused; a
 * dma-buf mapping past the end of the buffer is refused; a dma-buf fd
 * opened read-only cannot be mapped (or mprotected) writable; nor can a
 * read-only dma-buf through an importer's MAP_DUMB offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "fuzz.h"

#define MAX_MAP_PAGES	64

static int map_prot(struct fz_worker *w)
{
	unsigned int r = fz_rnd(w, 100);

	if (r < 65)
		return PROT_READ | PROT_WRITE;
	if (r < 92)
		return PROT_READ;
	if (r < 96)
		return PROT_WRITE;
	return fz_chance(w, 50) ? PROT_NONE : PROT_READ | PROT_EXEC;
}

/* Pages [first, first + count) of an object of @npages, sometimes outside. */
static void map_range(struct fz_worker *w, uint64_t npages, uint64_t *first,
		      uint64_t *count)
{
	uint64_t room, huge = FZ_HUGE_PAGE / FZ_PAGE;

	*first = fz_chance(w, 50) ? 0 : fz_rnd(w, npages);
	room = npages - *first;
	if (room > MAX_MAP_PAGES)
		room = MAX_MAP_PAGES;
	*count = fz_chance(w, 40) ? room : 1 + fz_rnd(w, room);
	/* Now and then 2-4 MiB from a huge-page boundary: PMD mappings. */
	if (npages >= huge && fz_chance(w, 50)) {
		*first = fz_rnd(w, npages / huge) * huge;
		*count = npages - *first < 2 * huge ? npages - *first : 2 * huge;
	}
	if (fz_corrupt_p(w, 2)) {
		switch (fz_rnd(w, 3)) {
		case 0:
			*first = npages + fz_rnd(w, 3);
			*count = 1;
			break;
		case 1:
			*count = room + 1;
			break;
		default:
			*first = fz_corrupt64(w, *first) & 0xffffff;
			break;
		}
	}
}

static int map_flags(struct fz_worker *w)
{
	int flags = MAP_SHARED;

	if (fz_chance(w, 5))
		flags |= MAP_POPULATE;
	if (fz_corrupt_p(w, 1))
		flags = MAP_PRIVATE | (flags & MAP_POPULATE);
	return flags;
}

/* Recent fake offsets per device, for mmap on the device's other files. */
static struct {
	uint64_t off;
	uint64_t npages;
} recent[FZ_MAX_DEVS][8];

void fz_op_mmap_gem(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_CARD);
	struct drm_mode_map_dumb md = { 0 };
	uint64_t npages, first, count, off;
	struct fz_handle *h = NULL;
	int prot = map_prot(w), flags = map_flags(w), ret;
	unsigned int k;
	bool check;
	void *p;

	if (!f)
		return;
	if (f->render || fz_chance(w, 10)) {
		/* Render nodes have no MAP_DUMB: an offset the device gave out. */
		k = fz_rnd(w, 8);
		off = recent[f->dev][k].off;
		npages = recent[f->dev][k].npages;
		if (!off)
			return;
	} else {
		if (!f->nh)
			fz_make_buffer(w, f);
		md.handle = fz_handle_arg(w, f, &h);
		if (fz_ioctl(w, OP_map_dumb, f->fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
			return;
		off = md.offset;
		npages = h && h->size ? (h->size + FZ_PAGE - 1) / FZ_PAGE : 1 + fz_rnd(w, 16);
		k = fz_rnd(w, 8);
		recent[f->dev][k].off = off;
		recent[f->dev][k].npages = npages;
	}
	map_range(w, npages, &first, &count);
	off += first * FZ_PAGE;
	if (fz_corrupt_p(w, 1))
		off += 1 + fz_rnd(w, FZ_PAGE - 1);
	if (h && (h->flags & H_RO) && (prot & PROT_WRITE) && FZ_AVOID(AVOID_RO_IMPORT))
		prot &= ~PROT_WRITE;	/* known: read-only dma-buf, importer's mmap */
	fz_trace(w, "mmap_gem fd %d handle %u off %#llx pages %llu+%llu/%llu prot %d flags %#x%s",
		 f->fd, md.handle, (unsigned long long)off,
		 (unsigned long long)first, (unsigned long long)count,
		 (unsigned long long)npages, prot, flags,
		 h && (h->flags & H_RO) ? " ro-import" : "");
	p = mmap(NULL, count * FZ_PAGE, prot, flags, f->fd, off);
	ret = p == MAP_FAILED ? -errno : 0;
	fz_rec(w, OP_mmap_gem, ret);
	if (ret)
		return;
	fz_trace(w, "  = %p", p);
	/*
	 * Only then is the mapping known to show h's object: a shared file's
	 * handle may name another object by now, and pages past the end are
	 * the next object's, since all fake offsets share one space.
	 */
	check = h && h->size && !f->received && !(off & (FZ_PAGE - 1)) &&
		first + count <= npages;
	if (flags & MAP_PRIVATE)
		fz_oracle(w, "GEM mmap with MAP_PRIVATE succeeded (README: EINVAL)");
	else if (check && (h->flags & H_RO) && (prot & PROT_WRITE))
		fz_oracle(w, "read-only dma-buf (exported without DRM_RDWR) mapped writable through the importer's MAP_DUMB offset (handle %u, device %d)",
			  h->h, f->dev);
	/* The mprotect oracle trusts this tag: only where the mmap's holds. */
	fz_add_map(w, p, count * FZ_PAGE, prot, false)->ro =
		check && (h->flags & H_RO) ? MAP_RO_IMPORT : 0;
}

void fz_op_mmap_dmabuf(struct fz_worker *w)
{
	uint64_t npages, first, count;
	int prot = map_prot(w), flags = map_flags(w), ret;
	struct fz_fd *e;
	int fd = fz_fd_arg(w, FD_DMABUF, &e);
	uint64_t off;
	void *p;

	npages = e && e->size ? (e->size + FZ_PAGE - 1) / FZ_PAGE : 1 + fz_rnd(w, 16);
	map_range(w, npages, &first, &count);
	off = first * FZ_PAGE;
	if (fz_corrupt_p(w, 1))
		off += 1 + fz_rnd(w, FZ_PAGE - 1);
	fz_trace(w, "mmap_dmabuf %d pages %llu+%llu/%llu prot %d flags %#x%s", fd,
		 (unsigned long long)first, (unsigned long long)count,
		 (unsigned long long)npages, prot, flags,
		 e && !e->rdwr ? " ro" : "");
	p = mmap(NULL, count * FZ_PAGE, prot, flags, fd, off);
	ret = p == MAP_FAILED ? -errno : 0;
	fz_rec(w, OP_mmap_dmabuf, ret);
	if (ret)
		return;
	if (e && (flags & MAP_PRIVATE))
		fz_oracle(w, "dma-buf mmap with MAP_PRIVATE succeeded (README: EINVAL)");
	else if (e && e->size && first + count > npages && !(off & (FZ_PAGE - 1)))
		fz_oracle(w, "dma-buf mmap of pages %llu+%llu of a %llu-page buffer succeeded",
			  (unsigned long long)first, (unsigned long long)count,
			  (unsigned long long)npages);
	else if (e && !e->rdwr && (prot & PROT_WRITE))
		fz_oracle(w, "read-only dma-buf fd mapped writable");
	fz_add_map(w, p, count * FZ_PAGE, prot, true)->ro =
		e && !e->rdwr ? MAP_RO_DMABUF : 0;
}

static struct fz_map *pick_map(struct fz_worker *w)
{
	if (!w->nmaps)
		return NULL;
	return &w->maps[fz_rnd(w, w->nmaps)];
}

void fz_op_munmap(struct fz_worker *w)
{
	struct fz_map *m = pick_map(w);
	size_t pages, k, len;
	uint8_t *addr;
	int mode, ret;

	if (!m)
		return;
	pages = m->len / FZ_PAGE;
	mode = pages > 1 ? fz_rnd(w, 5) : 0;
	k = pages > 1 ? 1 + fz_rnd(w, pages - 1) : pages;
	addr = m->addr;
	len = m->len;
	if (mode == 1) {		/* head */
		len = k * FZ_PAGE;
	} else if (mode == 2) {		/* tail */
		addr += k * FZ_PAGE;
		len -= k * FZ_PAGE;
	} else if (mode == 3 && pages > 2 && w->nmaps < FZ_MAX_MAPS) {	/* middle */
		k = 1 + fz_rnd(w, pages - 2);
		addr += k * FZ_PAGE;
		len = FZ_PAGE;
	} else {
		mode = 0;
	}
	if (fz_corrupt_p(w, 1)) {
		/* Misaligned: -EINVAL, nothing unmapped. */
		fz_trace(w, "munmap %p+1 (misaligned)", (void *)addr);
		fz_rec(w, OP_munmap, munmap(addr + 1, FZ_PAGE) ? -errno : 0);
		return;
	}
	fz_trace(w, "munmap %p len %#zx (map %p len %#zx mode %d)", (void *)addr,
		 len, (void *)m->addr, m->len, mode);
	ret = munmap(addr, len) ? -errno : 0;
	fz_rec(w, OP_munmap, ret);
	if (ret)
		return;
	switch (mode) {
	case 0:
		fz_forget_map(w, m);
		break;
	case 1:
		m->addr += len;
		m->len -= len;
		break;
	case 2:
		m->len -= len;
		break;
	case 3: {
		struct fz_map tail = *m;

		tail.addr = addr + FZ_PAGE;
		tail.len = m->addr + m->len - tail.addr;
		m->len = addr - m->addr;
		w->maps[w->nmaps++] = tail;
		break;
	}
	}
}

void fz_op_mremap(struct fz_worker *w)
{
	struct fz_map *m = pick_map(w);
	size_t pages, new_len;
	int flags;
	void *p;

	if (!m)
		return;
	pages = m->len / FZ_PAGE;
	if (fz_chance(w, 60) && pages > 1)
		new_len = (1 + fz_rnd(w, pages - 1)) * FZ_PAGE;	/* shrink */
	else
		new_len = m->len + (1 + fz_rnd(w, 4)) * FZ_PAGE;	/* grow: refused */
	flags = fz_chance(w, 70) ? MREMAP_MAYMOVE : 0;
	if (fz_chance(w, 5))
		flags |= MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
	fz_trace(w, "mremap %p len %#zx -> %#zx flags %#x", (void *)m->addr,
		 m->len, new_len, flags);
	p = mremap(m->addr, m->len, new_len, flags);
	if (p == MAP_FAILED) {
		fz_rec(w, OP_mremap, -errno);
		return;
	}
	fz_rec(w, OP_mremap, 0);
	if (flags & MREMAP_DONTUNMAP) {
		/* The old range stays mapped (empty); keep both. */
		if (w->nmaps < FZ_MAX_MAPS) {
			struct fz_map n = *m;

			n.addr = p;
			n.len = new_len;
			w->maps[w->nmaps++] = n;
		} else {
			munmap(p, new_len);
		}
		return;
	}
	m->addr = p;
	m->len = new_len;
}

void fz_op_mprotect(struct fz_worker *w)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE,
	};
	struct fz_map *m = pick_map(w);
	int prot = prots[fz_rnd(w, 4)], ret;
	size_t pages, first, count;

	if (!m)
		return;
	pages = m->len / FZ_PAGE;
	first = fz_chance(w, 70) ? 0 : fz_rnd(w, pages);
	count = first ? 1 + fz_rnd(w, pages - first) : pages;
	if (m->ro == MAP_RO_IMPORT && (prot & PROT_WRITE) && FZ_AVOID(AVOID_RO_IMPORT))
		prot = PROT_READ;	/* known: read-only dma-buf via importer */
	fz_trace(w, "mprotect %p pages %zu+%zu/%zu prot %d ro %d", (void *)m->addr,
		 first, count, pages, prot, m->ro);
	ret = mprotect(m->addr + first * FZ_PAGE, count * FZ_PAGE, prot) ? -errno : 0;
	fz_rec(w, OP_mprotect, ret);
	if (ret)
		return;
	if ((prot & PROT_WRITE) && m->ro == MAP_RO_DMABUF)
		fz_oracle(w, "mapping of a read-only dma-buf fd made writable by mprotect");
	else if ((prot & PROT_WRITE) && m->ro == MAP_RO_IMPORT)
		fz_oracle(w, "importer's mapping of a read-only dma-buf made writable by mprotect");
	if (count == pages)
		m->prot = prot;
}

void fz_op_madvise(struct fz_worker *w)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_WILLNEED, MADV_DONTFORK, MADV_DOFORK,
		MADV_COLD, MADV_PAGEOUT, MADV_NORMAL, MADV_RANDOM, MADV_REMOVE,
		MADV_DONTDUMP, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	};
	struct fz_map *m = pick_map(w);
	int adv = advice[fz_rnd(w, sizeof(advice) / sizeof(advice[0]))];

	if (!m)
		return;
	fz_trace(w, "madvise %p len %#zx advice %d", (void *)m->addr, m->len, adv);
	fz_rec(w, OP_madvise, madvise(m->addr, m->len, adv) ? -errno : 0);
}

int fz_touch_range(struct fz_worker *w, uint8_t *p, size_t len, bool write,
		   uint32_t seed)
{
	volatile uint32_t sink = 0;
	int sig;

	w->in_touch = 1;
	/* The handlers run with SA_NODEFER: no signal mask to restore. */
	sig = sigsetjmp(w->touch_jmp, 0);
	if (!sig) {
		size_t i;

		for (i = 0; i + 4 <= len; i += 1024) {
			volatile uint32_t *word = (volatile uint32_t *)(p + i);

			if (write)
				*word = seed + (uint32_t)i;
			else
				sink += *word;
		}
	}
	w->in_touch = 0;
	(void)sink;
	return sig;
}

static int touch_map(struct fz_worker *w, struct fz_map *m)
{
	size_t off = fz_rnd(w, m->len / 4) * 4;
	size_t len = 4 + fz_rnd(w, 64 << 10);
	bool write = fz_chance(w, (m->prot & PROT_WRITE) ? 50 : 10);

	if (len > m->len - off)
		len = m->len - off;
	return fz_touch_range(w, m->addr + off, len, write, (uint32_t)fz_next(w));
}

static int sig_bucket(int sig)
{
	return sig == SIGBUS ? FZ_E_SIGBUS : sig == SIGSEGV ? FZ_E_SIGSEGV : sig ? FZ_E_OTHER : 0;
}

void fz_op_touch(struct fz_worker *w)
{
	struct fz_map *m = pick_map(w);

	if (!m)
		return;
	fz_trace(w, "touch %p len %#zx prot %d", (void *)m->addr, m->len, m->prot);
	fz_rec(w, OP_touch, sig_bucket(touch_map(w, m)));
}

static void print_stack(pid_t pid)
{
	char path[64], buf[2048];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "fuzz: kernel stack of %d:\n%s", pid, buf);
	}
}

/* Wait up to @ms for @pid; true if reaped (status in *status). */
static bool wait_child(pid_t pid, int ms, int *status)
{
	struct timespec ts = { 0, 2000000 };
	int i;

	for (i = 0; i < ms / 2; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

void fz_op_fork_touch(struct fz_worker *w)
{
	int status = 0, i;
	pid_t pid;

	/* A fork costs a hundred calls under TCG (a thousand with KASAN). */
	if (fz_chance(w, 60))
		return;
	fz_trace(w, "fork_touch maps %d", w->nmaps);
	pid = fork();
	if (pid < 0) {
		fz_rec(w, OP_fork_touch, -errno);
		return;
	}
	if (pid == 0) {
		/* The child (no interval timer: fork does not inherit it):
		 * touch, bracket, unmap; what it breaks is its own. */
		for (i = 0; i < 6 && w->nmaps; i++)
			touch_map(w, pick_map(w));
		if (w->nfds[FD_DMABUF]) {
			struct fz_fd *e = fz_pick_fd(w, FD_DMABUF);
			struct dma_buf_sync s = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

			if (!ioctl(e->fd, DMA_BUF_IOCTL_SYNC, &s)) {
				for (i = 0; i < 2 && w->nmaps; i++)
					touch_map(w, pick_map(w));
				s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
				ioctl(e->fd, DMA_BUF_IOCTL_SYNC, &s);
			}
		}
		if (w->nmaps && fz_chance(w, 50)) {
			struct fz_map *m = pick_map(w);

			munmap(m->addr, m->len);
		}
		_exit(0);
	}
	if (!wait_child(pid, 5000, &status)) {
		fprintf(stderr, "fuzz: worker %d #%llu: fork_touch child %d still running after 5 s\n",
			w->idx, (unsigned long long)w->op_seq, pid);
		print_stack(pid);
		fz_diag_stuck(pid);
		kill(pid, SIGKILL);
		if (!wait_child(pid, 5000, &status)) {
			fprintf(stderr, "fuzz: worker %d: child %d does not die (stuck in the kernel)\n",
				w->idx, pid);
			w->ws->child_hangs++;
		}
		fz_rec(w, OP_fork_touch, -ETIMEDOUT);
		return;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "fuzz: worker %d #%llu: fork_touch child killed by signal %d\n",
			w->idx, (unsigned long long)w->op_seq, WTERMSIG(status));
		fz_rec(w, OP_fork_touch, FZ_E_OTHER);
		return;
	}
	fz_rec(w, OP_fork_touch, 0);
}
