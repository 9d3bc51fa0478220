/* elf_file.c — is an ELF shared object whole before it is dlopen()ed (see internal.h for why).
 *
 * The loader trusts the program headers: it maps [p_offset, p_offset + p_filesz) of every
 * PT_LOAD segment and touches those pages while relocating. A page past the end of the file is
 * mapped all the same, and touching it is SIGBUS. So: every header and every loadable segment
 * must lie inside the file. This is what glibc would need; it does not validate the dynamic
 * section or the symbol tables (the loader reports those as dlerror() strings, not faults).
 * Reads with pread into stack buffers: no allocation (it runs at exit, after a leak check).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PHDR_BATCH 32

static int fail(char *why, size_t why_size, const char *text, uint64_t have, uint64_t need)
{
    size_t n = raw_append(why, 0, why_size, text);
    if (need) {
        n = raw_append(why, n, why_size, " (the file has ");
        n = raw_append_u64_grouped(why, n, why_size, have);
        n = raw_append(why, n, why_size, " bytes, its headers need ");
        n = raw_append_u64_grouped(why, n, why_size, need);
        raw_append(why, n, why_size, ")");
    }
    return -1;
}

/* [offset, offset + length) inside a file of `size` bytes, without overflow. */
static int inside(uint64_t offset, uint64_t length, uint64_t size)
{
    return offset <= size && length <= size - offset;
}

static int read_exactly(int fd, void *buffer, size_t length, uint64_t offset)
{
    size_t done = 0;
    while (done < length) {
        ssize_t n = pread(fd, (char *)buffer + done, length - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static int check_header(const Elf64_Ehdr *h, uint64_t size, char *why, size_t why_size)
{
    if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
        return fail(why, why_size, "not an ELF file", 0, 0);
    if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_machine != EM_X86_64)
        return fail(why, why_size, "not an x86-64 ELF object", 0, 0);
    if (h->e_type != ET_DYN && h->e_type != ET_EXEC)
        return fail(why, why_size, "not a shared object", 0, 0);
    if (h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phnum == 0 || h->e_phnum == PN_XNUM)
        return fail(why, why_size, "malformed program header table", 0, 0);
    uint64_t table = (uint64_t)h->e_phnum * sizeof(Elf64_Phdr);
    if (!inside(h->e_phoff, table, size))
        return fail(why, why_size, "truncated", size, h->e_phoff + table);
    if (h->e_shoff && h->e_shentsize == sizeof(Elf64_Shdr) &&
        !inside(h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr), size))
        return fail(why, why_size, "truncated", size, h->e_shoff + (uint64_t)h->e_shnum * sizeof(Elf64_Shdr));
    return 0;
}

static int check_segments(int fd, const Elf64_Ehdr *h, uint64_t size, char *why, size_t why_size)
{
    Elf64_Phdr batch[PHDR_BATCH];
    int loads = 0;
    for (unsigned first = 0; first < h->e_phnum; first += PHDR_BATCH) {
        unsigned count = h->e_phnum - first < PHDR_BATCH ? h->e_phnum - first : PHDR_BATCH;
        if (read_exactly(fd, batch, count * sizeof(Elf64_Phdr), h->e_phoff + first * sizeof(Elf64_Phdr)) != 0)
            return fail(why, why_size, "cannot read its program headers", 0, 0);
        for (unsigned i = 0; i < count; i++) {
            const Elf64_Phdr *ph = &batch[i];
            if (ph->p_type != PT_LOAD && ph->p_type != PT_DYNAMIC)
                continue;
            loads += ph->p_type == PT_LOAD;
            if (!inside(ph->p_offset, ph->p_filesz, size))
                return fail(why, why_size, "truncated", size,
                            ph->p_offset > UINT64_MAX - ph->p_filesz ? UINT64_MAX : ph->p_offset + ph->p_filesz);
        }
    }
    return loads ? 0 : fail(why, why_size, "no loadable segment", 0, 0);
}

int elf_file_check(const char *path, char *why, size_t why_size)
{
    why[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        size_t n = raw_append(why, 0, why_size, "cannot open: ");
        raw_append(why, n, why_size, raw_error_text(errno));
        return -1;
    }
    struct stat st;
    Elf64_Ehdr header;
    int rc;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = fail(why, why_size, "not a regular file", 0, 0);
    else if ((uint64_t)st.st_size < sizeof header || read_exactly(fd, &header, sizeof header, 0) != 0)
        rc = fail(why, why_size, "truncated", (uint64_t)st.st_size, sizeof header);
    else if ((rc = check_header(&header, (uint64_t)st.st_size, why, why_size)) == 0)
        rc = check_segments(fd, &header, (uint64_t)st.st_size, why, why_size);
    close(fd);
    return rc;
}
