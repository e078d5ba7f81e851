#ifndef LINEAGE_CSQLITEOPTIONS_H
#define LINEAGE_CSQLITEOPTIONS_H
#include <sqlite3.h>

/*
 * Keeps a WAL-mode database's write-ahead log between connections, for databases opened by many
 * short processes one after another.
 *
 * By default the last connection to close checkpoints the WAL into the database (two syncs) and
 * deletes the WAL and shared-memory files, and the next process creates both again. With this, a
 * closing connection leaves them, and a commit that leaves at least `max_frames` frames in the WAL
 * checkpoints it and truncates it to nothing, without waiting for readers (a reader still using the
 * WAL only postpones the truncation to a later commit). A short WAL keeps the recovery pass that the
 * next process makes over it short. Call once per connection; `busy_timeout_ms` is the connection's
 * busy timeout, restored after each checkpoint. Returns an SQLite result code.
 */
int lineage_sqlite_keep_wal(sqlite3 *db, int max_frames, int busy_timeout_ms);
#endif
