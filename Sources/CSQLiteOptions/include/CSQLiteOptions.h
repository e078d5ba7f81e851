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
 * checkpoints it and truncates it (`lineage_sqlite_truncate_wal`) (a reader still using the
 * WAL only postpones the truncation to a later commit). A short WAL keeps the recovery pass that the
 * next process makes over it short. Call once per connection (the latest call's `max_frames` holds for
 * every connection of the process); `busy_timeout_ms` is the connection's busy timeout, restored after
 * each checkpoint. Returns an SQLite result code.
 */
int lineage_sqlite_keep_wal(sqlite3 *db, int max_frames, int busy_timeout_ms);

/*
 * Puts the database in WAL mode (a setting the file keeps; a no-op when it is already set). Returns
 * SQLITE_OK, SQLITE_CANTOPEN when SQLite kept another journal mode (a file system without shared
 * memory), or SQLite's error.
 */
int lineage_sqlite_use_wal(sqlite3 *db);

/* Lets file names be URIs (file:…?immutable=1), process-wide. Call before the first connection opens;
   returns SQLITE_OK, or SQLITE_MISUSE once SQLite is initialised (URIs then stay as they were). */
int lineage_sqlite_enable_uri(void);

/* Checkpoints the WAL and truncates it to nothing unless a reader still uses it, without waiting. */
void lineage_sqlite_truncate_wal(sqlite3 *db, int busy_timeout_ms);
#endif
