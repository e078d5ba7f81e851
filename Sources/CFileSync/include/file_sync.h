#ifndef LINEAGE_FILE_SYNC_H
#define LINEAGE_FILE_SYNC_H

/* Flushes the whole file system holding the open file `fd` (Linux syncfs(2), which needs
   _GNU_SOURCE and so is not visible to Swift through Glibc). Returns 0, or -1 with errno set. */
int lineage_syncfs(int fd);

#endif
